package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.CreateIdentityRequest;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.Kind;
import io.adit.api.v1.ListRevocationsRequest;
import io.adit.api.v1.ListServicesRequest;
import io.adit.api.v1.Revocation;
import io.adit.api.v1.RevokeCertificateRequest;
import io.adit.api.v1.RevokeIdentityRequest;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.api.v1.TunnelServiceGrpc;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.validation.HostPort;
import io.adit.testing.EtcdExtension;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revocation on the controller: by serial (in the forms operators paste), by identity (every
 * certificate of it), listed until expiry, kept across a controller restart, and biting on the
 * controller's own API (a revoked admin certificate is refused).
 */
class RevocationIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Controller controller;
  static ClientConfig admin;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl")));
    admin = ClientConfig.read(controller.adminConfig());
    channel = TestChannels.fromConfig(admin, controller.port());
    IdentityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createIdentity(CreateIdentityRequest.newBuilder().setName("client1").build());
    IdentityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createIdentity(CreateIdentityRequest.newBuilder().setName("client2").build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (controller != null) {
      controller.close();
    }
  }

  static CertificateServiceGrpc.CertificateServiceBlockingStub certs(ManagedChannel ch) {
    return CertificateServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static SignCertificateResponse issue(Kind kind, String name, KeyPair key) {
    return certs(channel).signCertificate(SignCertificateRequest.newBuilder().setKind(kind).setName(name)
        .setCsrPem(Pem.encode(Keys.csr(key, name))).build());
  }

  static List<Revocation> revocations() {
    return certs(channel).listRevocations(ListRevocationsRequest.getDefaultInstance()).getRevocationsList();
  }

  @Test
  void aSerialAsOpensslPrintsItIsRevokedOnceWithWhatItWasFor() {
    SignCertificateResponse issued = issue(Kind.KIND_CLIENT, "client1", Keys.generateP256());
    String opensslForm = "serial=0" + issued.getSerial().toUpperCase(Locale.ROOT);

    Revocation r = certs(channel).revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial(opensslForm)
        .setReason("laptop lost").build());
    Revocation again = certs(channel).revokeCertificate(RevokeCertificateRequest.newBuilder()
        .setSerial(issued.getSerial()).build());

    assertThat(r.getSerial()).isEqualTo(issued.getSerial());
    assertThat(r.getKind()).isEqualTo(Kind.KIND_CLIENT);
    assertThat(r.getName()).isEqualTo("client1");
    assertThat(r.getReason()).isEqualTo("laptop lost");
    assertThat(r.getRevokedBy()).endsWith("/admin/admin");
    assertThat(r.getNotAfter()).isEqualTo(issued.getNotAfter());
    assertThat(again).as("revoking twice keeps the first revocation").isEqualTo(r);
    assertThat(revocations()).contains(r);
  }

  @Test
  void aSerialTheClusterNeverIssuedIsRevokedTooAndNonsenseIsRefused() {
    Revocation r = certs(channel).revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial("de:ad:be:ef").build());
    assertThat(r.getSerial()).isEqualTo("deadbeef");
    assertThat(r.getKind()).isEqualTo(Kind.KIND_UNSPECIFIED);
    assertThat(r.getName()).isEmpty();

    assertThatThrownBy(() -> certs(channel).revokeCertificate(RevokeCertificateRequest.newBuilder()
        .setSerial("client1.crt").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("is not a certificate serial");
        });
  }

  @Test
  void revokingAnIdentityRevokesEachOfItsCertificatesAndStopsIssuance() {
    SignCertificateResponse first = issue(Kind.KIND_CLIENT, "client2", Keys.generateP256());
    SignCertificateResponse second = issue(Kind.KIND_CLIENT, "client2", Keys.generateP256());

    IdentityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .revokeIdentity(RevokeIdentityRequest.newBuilder().setName("client2").build());

    assertThat(revocations()).filteredOn(r -> r.getName().equals("client2")).extracting(Revocation::getSerial)
        .containsExactlyInAnyOrder(first.getSerial(), second.getSerial());
    assertThatThrownBy(() -> issue(Kind.KIND_CLIENT, "client2", Keys.generateP256()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }

  @Test
  void aRevokedAdminCertificateIsRefusedByTheControllerAndRevocationsSurviveARestart() throws Exception {
    KeyPair key = Keys.generateP256();
    SignCertificateResponse second = issue(Kind.KIND_ADMIN, "ops", key);
    ManagedChannel ops = TestChannels.as(controller.port(), Pem.certificates(admin.caPem()), key.getPrivate(),
        Pem.certificate(second.getCertificatePem()));
    try {
      TunnelServiceGrpc.newBlockingStub(ops).withDeadlineAfter(10, TimeUnit.SECONDS)
          .listServices(ListServicesRequest.getDefaultInstance());

      certs(channel).revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial(second.getSerial()).build());
      restartController();

      assertThatThrownBy(() -> TunnelServiceGrpc.newBlockingStub(ops).withDeadlineAfter(10, TimeUnit.SECONDS)
          .listServices(ListServicesRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).contains("was revoked");
          });
      assertThat(revocations()).extracting(Revocation::getSerial).contains(second.getSerial());
    } finally {
      ops.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A new controller process on the same etcd and data dir, as after a restart; same port. */
  static void restartController() throws Exception {
    int port = controller.port();
    controller.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", port), dir.resolve("ctl")));
    channel = TestChannels.fromConfig(admin, controller.port());
  }
}
