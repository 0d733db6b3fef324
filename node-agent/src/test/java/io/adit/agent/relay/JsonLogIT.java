package io.adit.agent.relay;

import static io.adit.agent.relay.RelayFixture.CA;
import static io.adit.agent.relay.RelayFixture.CLIENT1;
import static io.adit.agent.relay.RelayFixture.awaitIdle;
import static io.adit.agent.relay.RelayFixture.serverSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adit.agent.tls.Provider;
import io.adit.agent.tls.Verify;
import io.adit.common.daemon.Logging;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * With --log-format json, each connection's open, close and failure lines are JSON objects
 * whose fields a log pipeline can filter on: service, peer, identity, bytes each way, duration,
 * close reason.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonLogIT {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Logger relayLogger = (Logger) LoggerFactory.getLogger("io.adit.agent.relay");
  private OutputStreamAppender<ILoggingEvent> appender;
  private RelayFixture fixture;
  private TcpBackend echo;

  @BeforeEach
  void setUp() throws Exception {
    LoggerContext context = relayLogger.getLoggerContext();
    appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(Logging.jsonEncoder(context)); // what --log-format json puts on stderr
    appender.setOutputStream(out);
    appender.start();
    relayLogger.addAppender(appender);
    fixture = new RelayFixture();
    echo = fixture.closeLater(TcpBackend.echo());
  }

  @AfterEach
  void tearDown() throws Exception {
    fixture.close();
    relayLogger.detachAppender(appender);
    appender.stop();
  }

  private List<JsonNode> lines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    String text = out.toString(StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        lines.add(json.readTree(line)); // every line parses on its own
      }
    }
    return lines;
  }

  private List<JsonNode> events(String event) throws Exception {
    return lines().stream().filter(l -> event.equals(l.path("event").asText())).toList();
  }

  @Test
  void aConnectionIsOneJsonLineWhenItOpensAndOneWhenItCloses() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).verify(Verify.REQUIRE).build(), Provider.best(),
        new RecordingListener());
    try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
      assertThat(TlsClient.roundTrip(client, "hello")).isEqualTo("hello");
    }
    awaitIdle(relay);
    await().until(() -> events("connection_close").size() == 1);

    JsonNode open = events("connection_open").get(0);
    assertThat(open.path("level").asText()).isEqualTo("INFO");
    assertThat(open.path("logger_name").asText()).isEqualTo("io.adit.agent.relay.Connection");
    assertThat(open.path("@timestamp").asText()).isNotEmpty();
    assertThat(open.path("service").asText()).isEqualTo("service1");
    assertThat(open.path("identity").asText()).isEqualTo("client1");
    assertThat(open.path("peer").asText()).startsWith("127.0.0.1:");
    assertThat(open.path("backend").asText()).isEqualTo("127.0.0.1:" + echo.address().getPort());
    assertThat(open.path("message").asText()).startsWith("opened 127.0.0.1:").contains("(client1) on service1 to");

    JsonNode close = events("connection_close").get(0);
    assertThat(close.path("peer").asText()).isEqualTo(open.path("peer").asText());
    assertThat(close.path("bytes_in").asLong()).isEqualTo(5);
    assertThat(close.path("bytes_out").asLong()).isEqualTo(5);
    assertThat(close.path("duration_ms").isIntegralNumber()).isTrue();
    assertThat(close.path("close_reason").asText()).isNotEmpty();
    assertThat(close.path("message").asText()).contains("5 bytes in, 5 bytes out");
  }

  @Test
  void aRefusedClientIsOneJsonLineWithTheFailureKindAndReason() throws Exception {
    Relay relay = fixture.startServer(serverSpec(echo.address()).verify(Verify.REQUIRE).build(), Provider.best(),
        new RecordingListener());
    try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, null, "service1")) {
      TlsClient.roundTrip(client, "x");
    } catch (java.io.IOException expected) {
      // refused: the relay closes the connection
    }
    await().until(() -> events("connection_failure").size() == 1);
    JsonNode failure = events("connection_failure").get(0);
    assertThat(failure.path("level").asText()).isEqualTo("WARN");
    assertThat(failure.path("service").asText()).isEqualTo("service1");
    assertThat(failure.path("failure").asText()).isEqualTo("no_client_certificate");
    assertThat(failure.path("reason").asText()).isEqualTo("client presented no certificate");
    assertThat(events("connection_open")).isEmpty();
  }
}
