package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.ServiceSpec;
import io.adit.testing.EtcdExtension;
import io.adit.testing.OpenSsl;
import io.adit.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bring your own CA: a cluster that imported a CA made as in the stunnel walkthrough
 * ({@code openssl ecparam -name prime256v1}) serves its tunnels to the client certificates the
 * operator already made by hand from that CA, and to the ones Adit issues.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImportedCaTunnelIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Path seed;
  static Cluster cluster;
  static Tools.Background backend;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    seed = Files.createDirectories(dir.resolve("seed"));
    OpenSsl.ok(seed, "ecparam", "-name", "prime256v1", "-genkey", "-out", "ca.key");
    OpenSsl.ok(seed, "req", "-new", "-x509", "-key", "ca.key", "-out", "ca.crt", "-days", "30", "-subj", "/CN=Seed CA");
    // client1 as the walkthrough makes it: a key, a CSR, signed with the CA, no extensions.
    OpenSsl.ok(seed, "ecparam", "-name", "prime256v1", "-genkey", "-out", "client1.key");
    OpenSsl.ok(seed, "req", "-new", "-key", "client1.key", "-out", "client1.csr", "-subj", "/CN=client1");
    OpenSsl.ok(seed, "x509", "-req", "-in", "client1.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "client1.crt", "-days", "1");

    int backendPort = Tools.freePort();
    backend = Cluster.socatEcho(backendPort);
    cluster = new Cluster(etcd.endpoints(), dir, null, c -> c.withImport(seed.resolve("ca.crt"), seed.resolve("ca.key")));
    cluster.agent("node1");
    port = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("service1-secure").setAccept("127.0.0.1:" + port)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node1"));
    cluster.await("service1-secure", "node1", "Listening");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  static Tools.Result ncat(String... certAndKey) {
    List<String> cmd = new java.util.ArrayList<>(List.of("ncat", "-w", "5", "-i", "3", "--ssl", "--ssl-verify",
        "--ssl-servername", "service1-secure", "--ssl-trustfile", seed.resolve("ca.crt").toString()));
    cmd.addAll(List.of(certAndKey));
    cmd.addAll(List.of("127.0.0.1", String.valueOf(port)));
    return Tools.run(cmd, "hello\n", Duration.ofSeconds(15));
  }

  @Test
  void theOperatorsOwnCaFileVerifiesTheTunnelAndItsHandMadeClientCertificateGetsThrough() {
    Tools.Result r = ncat("--ssl-cert", seed.resolve("client1.crt").toString(), "--ssl-key", seed.resolve("client1.key").toString());
    assertThat(r.out()).as(r.err()).isEqualTo("hello\n");
  }

  @Test
  void aCertificateAditIssuesFromTheImportedCaGetsThroughToo() throws Exception {
    Cluster.Credential issued = cluster.client("client2");
    Tools.Result r = ncat("--ssl-cert", issued.certFile().toString(), "--ssl-key", issued.keyFile().toString());
    assertThat(r.out()).as(r.err()).isEqualTo("hello\n");
  }

  @Test
  void withoutAClientCertificateNothingGetsThrough() {
    assertThat(ncat().out()).isEmpty();
  }
}
