package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.AuditEvent;
import io.adit.api.v1.AuditServiceGrpc;
import io.adit.api.v1.CertificateAuthority;
import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.GetTrustBundleRequest;
import io.adit.api.v1.Kind;
import io.adit.api.v1.ListAuditRequest;
import io.adit.api.v1.ListCasRequest;
import io.adit.api.v1.RevokeCertificateRequest;
import io.adit.api.v1.RotateCaRequest;
import io.adit.api.v1.RotateCaResponse;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Bundles;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.store.KeyLayout;
import io.adit.common.validation.HostPort;
import io.adit.controller.ca.CaRotation;
import io.adit.controller.ca.ClusterAuthority;
import io.adit.controller.store.Txn;
import io.adit.controller.store.etcd.EtcdKv;
import io.adit.store.v1.TrustBundleRecord;
import io.adit.testing.EtcdExtension;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CA rotation as the controller runs it, without agents (so no node holds it back): prepared,
 * kept across a restart, refused a second time, active, the controller's own certificate from
 * the new CA, the old CA retired once its last unrevoked certificate is gone; each step audited.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CaRotationIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  Path dir;

  static CertificateServiceGrpc.CertificateServiceBlockingStub ca(ManagedChannel channel) {
    return CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static CertificateAuthority find(ManagedChannel channel, String id) {
    return ca(channel).listCas(ListCasRequest.getDefaultInstance()).getAuthoritiesList().stream()
        .filter(c -> c.getId().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void aRotationIsKeptAcrossARestartThenActivatesAndTheOldCaRetires() throws Exception {
    ControllerConfig config = ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl"));
    RotateCaResponse rotated;
    X509Certificate oldCa;
    ClientConfig admin;
    // A second replica (the same ca.kek) that never activates a CA itself: it must follow etcd.
    Path otherDir = dir.resolve("other");
    java.nio.file.Files.createDirectories(otherDir);
    Controller other = null;
    try {
    // A first controller that would keep the new CA prepared for an hour.
    try (Controller first = Controller.start(config, Clock.systemUTC(),
        new CaRotation.Settings(Duration.ofHours(1), Duration.ofSeconds(1)))) {
      admin = ClientConfig.read(first.adminConfig());
      oldCa = Pem.certificate(admin.caPem());
      ManagedChannel channel = TestChannels.fromConfig(admin, first.port());
      try {
        rotated = ca(channel).rotateCa(RotateCaRequest.getDefaultInstance());
        java.nio.file.Files.copy(dir.resolve("ctl").resolve("ca.kek"), otherDir.resolve("ca.kek"));
        other = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), otherDir),
            Clock.systemUTC(), new CaRotation.Settings(Duration.ofHours(1), Duration.ofHours(1)));
        assertThat(rotated.getPrepared().getState()).isEqualTo("prepared");
        assertThat(rotated.getPrepared().getSubject()).contains("CN=Adit CA 2");
        assertThat(Pem.certificates(rotated.getBundlePem())).hasSize(2).contains(oldCa);
        assertThat(Pem.certificates(ca(channel).getTrustBundle(GetTrustBundleRequest.getDefaultInstance()).getPem()))
            .hasSize(2);

        assertThatThrownBy(() -> ca(channel).rotateCa(RotateCaRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
              assertThat(e.getStatus().getDescription()).contains("a CA rotation is already under way: CA "
                  + rotated.getPrepared().getId() + " is prepared");
            });
        assertThat(find(channel, rotated.getPrepared().getId()).getState()).isEqualTo("prepared");
      } finally {
        channel.shutdownNow();
      }
    }
    String newId = rotated.getPrepared().getId();
    X509Certificate newCa = Pem.certificate(rotated.getPrepared().getCertificatePem());

    // A cluster from before rotation existed has no public bundle in etcd: the next start publishes it.
    try (EtcdKv kv = EtcdKv.connect(etcd.endpoints(), Duration.ofSeconds(5), null)) {
      assertThat(kv.commit(Txn.create().delete(KeyLayout.TRUST_BUNDLE))).isTrue();
    }

    try (Controller second = Controller.start(config, Clock.systemUTC(),
        new CaRotation.Settings(Duration.ofSeconds(1), Duration.ofSeconds(1)));
        EtcdKv kv = EtcdKv.connect(etcd.endpoints(), Duration.ofSeconds(5), null)) {
      TrustBundleRecord published = TrustBundleRecord.parseFrom(kv.get(KeyLayout.TRUST_BUNDLE).orElseThrow().value());
      assertThat(published.getFingerprint()).isEqualTo(Bundles.fingerprint(List.of(oldCa, newCa)));
      assertThat(kv.list(KeyLayout.TRUST).entries()).as("the public prefix holds no key material").hasSize(1);

      // The same admin credential, now trusting both CAs.
      ClientConfig both = ClientConfig.of(admin.controllers(), admin.trustDomain(), admin.identity(),
          rotated.getBundlePem(), admin.certPem(), admin.keyPem());
      ManagedChannel channel = TestChannels.fromConfig(both, second.port());
      ManagedChannel newOnly = null;
      try {
        // No Ready node to wait for: it activates once it has been prepared long enough.
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
            .until(() -> find(channel, newId).getState(), "active"::equals);
        assertThat(find(channel, ClusterAuthority.caId(oldCa)).getState()).isEqualTo("retiring");

        KeyPair key = Keys.generateP256();
        SignCertificateResponse signed = ca(channel).signCertificate(SignCertificateRequest.newBuilder()
            .setKind(Kind.KIND_ADMIN).setName("admin2").setTtlSeconds(600)
            .setCsrPem(Pem.encode(Keys.csr(key, "admin2"))).build());
        X509Certificate admin2 = Pem.certificate(signed.getCertificatePem());
        assertThat(admin2.getIssuerX500Principal()).isEqualTo(newCa.getSubjectX500Principal());
        // Trusting the new CA alone reaches the controller: its serving certificate was re-issued.
        newOnly = TestChannels.as(second.port(), List.of(newCa), key.getPrivate(), admin2);
        ManagedChannel fresh = newOnly;
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
            .until(() -> ca(fresh).getTrustBundle(GetTrustBundleRequest.getDefaultInstance()).getPem().contains("BEGIN"));

        // The other controller, up since before the switch, noticed it within its refresh period:
        // it serves a certificate from the new CA and signs with it.
        ManagedChannel viaOther = TestChannels.as(other.port(), List.of(newCa), key.getPrivate(), admin2);
        try {
          Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
              .until(() -> ca(viaOther).getTrustBundle(GetTrustBundleRequest.getDefaultInstance()).getPem().contains("BEGIN"));
          X509Certificate fromOther = Pem.certificate(ca(viaOther).signCertificate(SignCertificateRequest.newBuilder()
              .setKind(Kind.KIND_ADMIN).setName("other").setTtlSeconds(600)
              .setCsrPem(Pem.encode(Keys.csr(Keys.generateP256(), "other"))).build()).getCertificatePem());
          assertThat(fromOther.getIssuerX500Principal()).isEqualTo(newCa.getSubjectX500Principal());
        } finally {
          viaOther.shutdownNow();
        }

        // The old admin certificates (each controller wrote one at its first start) are the last
        // ones the old CA signed: while it is valid and not
        // revoked, the old CA is retiring and says why.
        String oldAdminSerial = Keys.serialHex(Pem.certificate(admin.certPem()));
        CertificateAuthority retiring = find(fresh, ClusterAuthority.caId(oldCa));
        assertThat(retiring.getState()).isEqualTo("retiring");
        assertThat(retiring.getLastCertificate()).startsWith("admin/admin serial ");
        String otherAdminSerial = Keys.serialHex(Pem.certificate(ClientConfig.read(other.adminConfig()).certPem()));
        for (String serial : List.of(oldAdminSerial, otherAdminSerial)) {
          ca(fresh).revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial(serial)
              .setReason("CA rotation").build());
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
            .until(() -> find(fresh, ClusterAuthority.caId(oldCa)).getState(), "retired"::equals);
        assertThat(Pem.certificates(ca(fresh).getTrustBundle(GetTrustBundleRequest.getDefaultInstance()).getPem()))
            .containsExactly(newCa);

        List<AuditEvent> events = AuditServiceGrpc.newBlockingStub(fresh).withDeadlineAfter(10, TimeUnit.SECONDS)
            .listAudit(ListAuditRequest.getDefaultInstance()).getEventsList().stream()
            .filter(e -> e.getAction().startsWith("ca.")).toList();
        assertThat(events).extracting(AuditEvent::getAction).containsExactly("ca.rotate", "ca.activate", "ca.retire");
        assertThat(events.get(0).getActor()).isEqualTo("spiffe://adit.local/admin/admin");
        assertThat(events.get(0).getDetail()).contains("new CA " + newId + " prepared");
        assertThat(events.get(1).getActor()).isEqualTo("spiffe://adit.local/controller");
        assertThat(events.get(1).getTarget()).isEqualTo(newId);
        assertThat(events.get(2).getTarget()).isEqualTo(ClusterAuthority.caId(oldCa));
      } finally {
        channel.shutdownNow();
        if (newOnly != null) {
          newOnly.shutdownNow();
        }
      }
    }
    } finally {
      if (other != null) {
        other.close();
      }
    }
  }
}
