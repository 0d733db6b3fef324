package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.testing.EtcdExtension;
import io.adit.testing.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client-mode relay without an identity of its own presents the node's certificate: when that
 * is renewed, the relay presents the new one, long before the old one expires.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeCertificateRenewalIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  Path dir;

  @Test
  void aClientModeRelayWithoutAnIdentityPresentsTheRenewedNodeCertificate() throws Exception {
    int backendPort = Tools.freePort();
    try (Tools.Background backend = Cluster.socatEcho(backendPort);
        Cluster cluster = new Cluster(etcd.endpoints(), dir, Duration.ofSeconds(6))) {
      cluster.agent("node-n");
      int serverPort = Tools.freePort();
      int clientPort = Tools.freePort();
      cluster.create(ServiceSpec.newBuilder().setName("inner").setAccept("127.0.0.1:" + serverPort)
          .addConnect("127.0.0.1:" + backendPort).addNodes("node-n"));
      // No --identity: towards an Adit service the relay shows the node's own certificate.
      cluster.create(ServiceSpec.newBuilder().setName("outer").setMode(Mode.MODE_CLIENT)
          .setAccept("127.0.0.1:" + clientPort).setTo("inner").addNodes("node-n"));
      cluster.await("inner", "node-n", "Listening");
      cluster.await("outer", "node-n", "Listening");

      // 6 s node certificates: over 14 s the first one expires; new connections must not notice.
      List<String> failures = new ArrayList<>();
      int connections = 0;
      long end = System.nanoTime() + Duration.ofSeconds(14).toNanos();
      while (System.nanoTime() < end && connections < 5000) {
        connections++;
        try (TlsEcho e = TlsEcho.plain(clientPort)) {
          String line = "ping " + connections;
          if (!line.equals(e.echo(line))) {
            failures.add("connection " + connections + " echoed something else");
          }
        } catch (Exception ex) {
          failures.add("connection " + connections + ": " + ex);
        }
      }
      assertThat(failures).as("failed connections out of " + connections).isEmpty();
    }
  }
}
