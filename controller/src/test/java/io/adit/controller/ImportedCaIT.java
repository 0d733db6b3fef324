package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.CreateIdentityRequest;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.Kind;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.validation.HostPort;
import io.adit.testing.EtcdExtension;
import io.adit.testing.OpenSsl;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A CA made the way the seed PKI was (openssl ecparam + req -x509) imported into a new cluster. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImportedCaIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  Path dir;

  @Test
  void importsASeedStyleCaSignsWithItAndRefusesAnotherOneLater() throws Exception {
    OpenSsl.ok(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", "ca.key");
    OpenSsl.ok(dir, "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=seed-ca", "-days", "30", "-out", "ca.crt");
    assertThat(Files.readString(dir.resolve("ca.key"))).contains("BEGIN EC PARAMETERS");

    ControllerConfig config = ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl"))
        .withImport(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    try (Controller controller = Controller.start(config)) {
      assertThat(controller.authority().bundle()).containsExactly(Pem.certificate(Files.readString(dir.resolve("ca.crt"))));

      ClientConfig admin = ClientConfig.read(controller.adminConfig());
      ManagedChannel channel = TestChannels.fromConfig(admin, controller.port());
      try {
        IdentityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .createIdentity(CreateIdentityRequest.newBuilder().setName("client1").build());
        String pem = CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .signCertificate(SignCertificateRequest.newBuilder().setKind(Kind.KIND_CLIENT).setName("client1")
                .setCsrPem(Pem.encode(Keys.csr(Keys.generateP256(), "client1"))).build())
            .getCertificatePem();
        Files.writeString(dir.resolve("client1.crt"), pem);
      } finally {
        channel.shutdownNow();
      }
      // The operator's own ca.crt verifies what Adit issues (stunnel's CAfile, ncat --ssl-trustfile).
      assertThat(OpenSsl.ok(dir, "verify", "-CAfile", "ca.crt", "-purpose", "sslclient", "client1.crt")).contains("client1.crt: OK");
    }

    // Once the cluster exists, importing a different CA is refused, not silently ignored.
    OpenSsl.ok(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", "other.key");
    OpenSsl.ok(dir, "req", "-x509", "-new", "-key", "other.key", "-subj", "/CN=other-ca", "-days", "30", "-out", "other.crt");
    ControllerConfig other = ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl"))
        .withImport(dir.resolve("other.crt"), dir.resolve("other.key"));
    assertThatThrownBy(() -> Controller.start(other)).hasMessageContaining("already holds a different CA");
  }
}
