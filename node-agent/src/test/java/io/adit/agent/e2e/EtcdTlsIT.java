package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.agent.EtcdTlsFiles;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.controller.store.etcd.EtcdTls;
import io.adit.testing.EtcdServer;
import io.adit.testing.OpenSsl;
import io.adit.testing.Tools;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd over TLS with client certificates (etcd's --client-cert-auth): the controller and an
 * agent, each with its own etcd client certificate, run a tunnel end to end; a client without
 * a certificate is turned away by etcd.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdTlsIT {
  @TempDir
  static Path dir;

  static EtcdServer etcd;
  static Cluster cluster;
  static Tools.Background backend;
  static int backendPort;
  static Path pki;

  @BeforeAll
  static void start() throws Exception {
    pki = Files.createDirectories(dir.resolve("etcd-pki"));
    OpenSsl.ok(pki, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=etcd CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    leaf("server", "/CN=etcd", "subjectAltName=IP:127.0.0.1,DNS:localhost", "extendedKeyUsage=serverAuth");
    leaf("controller", "/CN=adit-controller", "subjectAltName=DNS:adit-controller", "extendedKeyUsage=clientAuth");
    leaf("node1", "/CN=node1", "subjectAltName=DNS:node1", "extendedKeyUsage=clientAuth");
    etcd = EtcdServer.start("https", List.of("--cert-file", pki.resolve("server.crt").toString(),
        "--key-file", pki.resolve("server.key").toString(), "--client-cert-auth",
        "--trusted-ca-file", pki.resolve("ca.crt").toString()));

    backendPort = Tools.freePort();
    backend = Cluster.socatEcho(backendPort);
    cluster = new Cluster(etcd.endpoints(), dir, null, c -> c.withEtcdTls(
        new EtcdTls(pki.resolve("ca.crt"), pki.resolve("controller.crt"), pki.resolve("controller.key"))));
  }

  /** A key (PKCS#8, as openssl genpkey writes it) and a certificate signed by the etcd CA. */
  static void leaf(String name, String subject, String... extensions) {
    OpenSsl.ok(pki, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
    List<String> args = new java.util.ArrayList<>(List.of("req", "-new", "-x509", "-key", name + ".key", "-out", name + ".crt",
        "-days", "1", "-subj", subject, "-CA", "ca.crt", "-CAkey", "ca.key", "-addext", "basicConstraints=CA:FALSE"));
    for (String e : extensions) {
      args.addAll(List.of("-addext", e));
    }
    OpenSsl.ok(pki, args.toArray(String[]::new));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (backend != null) {
      backend.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void theControllerAndAnAgentWithTheirOwnCertificatesRunATunnel() throws Exception {
    cluster.agent("node1", c -> c.withEtcdTls(
        new EtcdTlsFiles(pki.resolve("ca.crt"), pki.resolve("node1.crt"), pki.resolve("node1.key"))));
    int port = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("secure-etcd").setAccept("127.0.0.1:" + port)
        .addConnect("127.0.0.1:" + backendPort).addNodes("node1").setVerify(Verify.VERIFY_NONE));
    cluster.await("secure-etcd", "node1", "Listening");

    try (TlsEcho c = TlsEcho.tls(port, "secure-etcd", cluster.trust, null, null)) {
      assertThat(c.echo("over etcd with TLS")).isEqualTo("over etcd with TLS");
    }
  }

  @Test
  void etcdTurnsAwayAClientWithoutACertificate() {
    try (Client anonymous = Client.builder().endpoints(URI.create(etcd.endpoints().get(0)))
        .sslContext(b -> b.trustManager(pki.resolve("ca.crt").toFile()))
        .waitForReady(false).retryMaxDuration(Duration.ofSeconds(2)).build()) {
      // Refused at the TLS handshake, not timed out: the call fails as soon as etcd says no.
      assertThatThrownBy(() -> anonymous.getKVClient().get(ByteSequence.from("/adit/v1/", StandardCharsets.UTF_8))
          .get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasStackTraceContaining("UNAVAILABLE");
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalStateException(e);
    }
  }
}
