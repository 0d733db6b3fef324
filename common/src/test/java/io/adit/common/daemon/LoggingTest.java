package io.adit.common.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adit.common.validation.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LoggingTest {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  @AfterEach
  void resetLogging() throws Exception {
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  @Test
  void jsonFormatTurnsTheConsoleIntoJsonLinesWithKeyValuePairsAsFields() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream console = System.out; // logback's default console appender writes here
    PrintStream err = System.err;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Logging.configure(Logging.Format.JSON, Optional.empty(), Map.of());
      Logger log = LoggerFactory.getLogger("io.adit.demo.relay.Connection");
      log.atInfo().addKeyValue("service", "web").addKeyValue("bytes_in", 42L).log("closed {}", "10.0.0.7:5000");
    } finally {
      System.setOut(console);
      System.setErr(err);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).hasSize(1);
    JsonNode line = new ObjectMapper().readTree(lines.get(0));
    assertThat(line.path("message").asText()).isEqualTo("closed 10.0.0.7:5000");
    assertThat(line.path("level").asText()).isEqualTo("INFO");
    assertThat(line.path("logger_name").asText()).isEqualTo("io.adit.demo.relay.Connection");
    assertThat(line.path("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*");
    assertThat(line.path("service").asText()).isEqualTo("web");
    assertThat(line.path("bytes_in").asLong()).isEqualTo(42);
  }

  @Test
  void levelsApplyToTheRootAndToEachComponent() {
    LogComponents components = new LogComponents("io.adit.demo", List.of("relay", "watch"));
    Logging.configure(Logging.Format.TEXT, Logging.level("--log-level", "warn"),
        components.levels(Map.of("relay", "debug", "io.netty", "ERROR")));
    assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.adit.demo.relay").getLevel()).isEqualTo(Level.DEBUG);
    assertThat(context.getLogger("io.adit.demo.relay.Connection").isDebugEnabled()).isTrue();
    assertThat(context.getLogger("io.adit.demo.watch").isInfoEnabled()).isFalse();
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.ERROR);
  }

  @Test
  void badLevelsComponentsAndFormatsNameTheOption() {
    LogComponents components = new LogComponents("io.adit.demo", List.of("relay"));
    assertThatThrownBy(() -> components.levels(Map.of("relay", "")))
        .isInstanceOf(InvalidInputException.class).hasMessage("--log-level-for relay has no level: write relay=debug"
            + " (or error, warn, info, trace)");
    assertThatThrownBy(() -> components.levels(Map.of("relay", "chatty")))
        .hasMessage("--log-level-for relay 'chatty' is not a log level: use error, warn, info, debug, trace, off");
    assertThatThrownBy(() -> components.levels(Map.of("io..x", "info")))
        .hasMessage("--log-level-for 'io..x' is not a component: use one of relay, or a full logger name such as io.netty");
    assertThatThrownBy(() -> Logging.format("xml")).hasMessage("--log-format 'xml' is not a log format: use text or json");
    assertThat(Logging.level("--log-level", "WARNING")).contains(Level.WARN);
  }
}
