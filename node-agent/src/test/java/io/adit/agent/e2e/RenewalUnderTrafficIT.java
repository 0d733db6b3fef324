package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.ServiceSpec;
import io.adit.testing.EtcdExtension;
import io.adit.testing.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Certificates of a few seconds, renewed again and again while clients keep connecting. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RenewalUnderTrafficIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  Path dir;

  @Test
  void renewsUnderLiveTrafficWithoutAFailedHandshakeOrADroppedConnection() throws Exception {
    int backendPort = Tools.freePort();
    // Listen address first: each forked connection gets its own pipe.
    try (Tools.Background backend = Tools.start(List.of("socat",
            "TCP-LISTEN:" + backendPort + ",bind=127.0.0.1,reuseaddr,fork", "PIPE"));
        Cluster cluster = new Cluster(etcd.endpoints(), dir, Duration.ofSeconds(6))) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Tools.listening(backendPort));
      cluster.agent("node-r");
      Cluster.Credential client = cluster.client("client1");
      int port = Tools.freePort();
      cluster.create(ServiceSpec.newBuilder().setName("short").setAccept("127.0.0.1:" + port)
          .addConnect("127.0.0.1:" + backendPort).addNodes("node-r"));
      cluster.await("short", "node-r", "Listening");

      Set<String> serials = new HashSet<>();
      List<String> failures = new ArrayList<>();
      int connections = 0;
      try (TlsEcho longLived = TlsEcho.tls(port, "short", cluster.trust, client.key(), client.cert())) {
        long end = System.nanoTime() + Duration.ofSeconds(14).toNanos();
        // Bounded in time and count: about 14 s, at most 2000 connections.
        while (System.nanoTime() < end && connections < 2000) {
          connections++;
          try (TlsEcho e = TlsEcho.tls(port, "short", cluster.trust, client.key(), client.cert())) {
            String line = "ping " + connections;
            if (!e.echo(line).equals(line)) {
              failures.add("connection " + connections + " echoed something else");
            }
          } catch (Exception ex) {
            failures.add("connection " + connections + ": " + ex);
          }
          cluster.status("short", "node-r").ifPresent(s -> serials.add(s.getCertSerial()));
          if (connections % 20 == 0) {
            assertThat(longLived.echo("still " + connections)).isEqualTo("still " + connections);
          }
        }
        assertThat(longLived.echo("the end")).isEqualTo("the end");
      }
      assertThat(failures).as("failed connections out of " + connections).isEmpty();
      // 6 s certificates renewed at about half their life: several over 14 s.
      assertThat(serials).hasSizeGreaterThanOrEqualTo(3);
    }
  }
}
