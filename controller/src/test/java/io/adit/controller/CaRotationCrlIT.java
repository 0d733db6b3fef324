package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.Crl;
import io.adit.api.v1.GetCrlRequest;
import io.adit.api.v1.Kind;
import io.adit.api.v1.ListCasRequest;
import io.adit.api.v1.RevokeCertificateRequest;
import io.adit.api.v1.RotateCaRequest;
import io.adit.api.v1.RotateCaResponse;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.validation.HostPort;
import io.adit.controller.ca.CaRotation;
import io.adit.controller.ca.ClusterAuthority;
import io.adit.testing.EtcdExtension;
import io.adit.testing.OpenSsl;
import io.grpc.ManagedChannel;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * During a CA rotation each trusted CA signs a CRL of its own: a revoked certificate of the old
 * CA is found revoked by openssl with the CRLs of all trusted CAs in one file.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CaRotationCrlIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  Path dir;

  @Test
  void eachTrustedCaSignsItsOwnCrlAndOpensslFindsTheOldCasRevocation() throws Exception {
    ControllerConfig config = ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl"));
    // Activates at once (no node to wait for); the old CA stays retiring for an hour.
    try (Controller controller = Controller.start(config, Clock.systemUTC(),
        new CaRotation.Settings(Duration.ofSeconds(1), Duration.ofHours(1)))) {
      ClientConfig admin = ClientConfig.read(controller.adminConfig());
      X509Certificate oldCa = Pem.certificate(admin.caPem());
      // An old-CA client certificate, to revoke once the old CA no longer signs.
      var client = Keys.generateP256();
      ManagedChannel first = TestChannels.fromConfig(admin, controller.port());
      RotateCaResponse rotated;
      String oldClient;
      try {
        CertificateServiceGrpc.CertificateServiceBlockingStub ca = CertificateServiceGrpc.newBlockingStub(first)
            .withDeadlineAfter(10, TimeUnit.SECONDS);
        oldClient = CertificateServiceGrpc.newBlockingStub(first).withDeadlineAfter(10, TimeUnit.SECONDS)
            .signCertificate(SignCertificateRequest.newBuilder().setKind(Kind.KIND_ADMIN).setName("old")
                .setTtlSeconds(600).setCsrPem(Pem.encode(Keys.csr(client, "old"))).build()).getCertificatePem();
        rotated = ca.rotateCa(RotateCaRequest.getDefaultInstance());
      } finally {
        first.shutdownNow();
      }
      X509Certificate newCa = Pem.certificate(rotated.getPrepared().getCertificatePem());
      ManagedChannel channel = TestChannels.fromConfig(ClientConfig.of(admin.controllers(), admin.trustDomain(),
          admin.identity(), rotated.getBundlePem(), admin.certPem(), admin.keyPem()), controller.port());
      try {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
            CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .listCas(ListCasRequest.getDefaultInstance()).getAuthoritiesList().stream()
                .anyMatch(c -> c.getId().equals(rotated.getPrepared().getId()) && c.getState().equals("active")));
        CertificateServiceGrpc.CertificateServiceBlockingStub ca = CertificateServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS);
        String serial = Keys.serialHex(Pem.certificate(oldClient));
        ca.revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial(serial).build());

        Crl active = ca.getCrl(GetCrlRequest.getDefaultInstance());
        Crl old = ca.getCrl(GetCrlRequest.newBuilder().setCaId(ClusterAuthority.caId(oldCa)).build());
        Crl all = ca.getCrl(GetCrlRequest.newBuilder().setAllTrusted(true).build());
        assertThat(crl(active).getIssuerX500Principal()).isEqualTo(newCa.getSubjectX500Principal());
        assertThat(crl(old).getIssuerX500Principal()).isEqualTo(oldCa.getSubjectX500Principal());
        assertThat(crl(old).getRevokedCertificate(Pem.certificate(oldClient).getSerialNumber())).isNotNull();
        assertThat(all.getPem()).contains(active.getPem()).contains(old.getPem());

        Files.writeString(dir.resolve("ca.crt"), rotated.getBundlePem());
        Files.writeString(dir.resolve("crl.pem"), all.getPem());
        Files.writeString(dir.resolve("old.crt"), oldClient);
        Files.writeString(dir.resolve("admin.crt"), admin.certPem());
        OpenSsl.Result refused = OpenSsl.run(dir, "verify", "-crl_check", "-CAfile", "ca.crt", "-CRLfile", "crl.pem",
            "old.crt");
        assertThat(refused.exitCode()).as(refused.output()).isNotZero();
        assertThat(refused.output()).contains("certificate revoked");
        assertThat(OpenSsl.ok(dir, "verify", "-crl_check", "-CAfile", "ca.crt", "-CRLfile", "crl.pem", "admin.crt"))
            .contains("admin.crt: OK");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  static X509CRL crl(Crl crl) throws Exception {
    return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(crl.getDer().toByteArray()));
  }
}
