package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.adit.api.v1.AuditEvent;
import io.adit.api.v1.AuditServiceGrpc;
import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.CreateIdentityRequest;
import io.adit.api.v1.CreateJoinTokenRequest;
import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.DeleteNodeRequest;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.JoinRequest;
import io.adit.api.v1.Kind;
import io.adit.api.v1.ListAuditRequest;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.RevokeCertificateRequest;
import io.adit.api.v1.RevokeIdentityRequest;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.TunnelServiceGrpc;
import io.adit.api.v1.UpdateServiceRequest;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.proto.Timestamps;
import io.adit.common.validation.HostPort;
import io.adit.testing.EtcdExtension;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every change is in the audit trail with who, when and what; refused changes and dry runs are not. */
class AuditIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Controller controller;
  static ManagedChannel channel;
  static ManagedChannel anonymous;

  @BeforeAll
  static void start() throws Exception {
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl")));
    ClientConfig admin = ClientConfig.read(controller.adminConfig());
    channel = TestChannels.fromConfig(admin, controller.port());
    anonymous = TestChannels.as(controller.port(), Pem.certificates(admin.caPem()), null);
  }

  @AfterAll
  static void stop() throws Exception {
    for (ManagedChannel c : new ManagedChannel[] {channel, anonymous}) {
      if (c != null) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    if (controller != null) {
      controller.close();
    }
  }

  static List<AuditEvent> audit(ListAuditRequest req) {
    return AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).listAudit(req).getEventsList();
  }

  @Test
  void eachChangeIsRecordedOnceWithActorActionTargetAndDetail() {
    Instant before = Instant.now();
    var tunnels = TunnelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    ServiceSpec.Builder web = ServiceSpec.newBuilder().setName("web").setAccept("6000").addConnect("127.0.0.1:7000")
        .addNodes("node-a");
    tunnels.createService(CreateServiceRequest.newBuilder().setSpec(web).setDryRun(true).build());
    var created = tunnels.createService(CreateServiceRequest.newBuilder().setSpec(web).build());
    assertThatThrownBy(() -> tunnels.createService(CreateServiceRequest.newBuilder().setSpec(web).build()))
        .isInstanceOf(StatusRuntimeException.class);
    tunnels.updateService(UpdateServiceRequest.newBuilder().setSpec(created.getSpec().toBuilder().setAccept("6001"))
        .setExpectedVersion(created.getVersion()).build());
    IdentityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createIdentity(CreateIdentityRequest.newBuilder().setName("client1").build());
    String serial = CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .signCertificate(SignCertificateRequest.newBuilder().setKind(Kind.KIND_CLIENT).setName("client1")
            .setCsrPem(Pem.encode(Keys.csr(Keys.generateP256(), "client1"))).build()).getSerial();
    CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial(serial).setReason("lost").build());
    IdentityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .revokeIdentity(RevokeIdentityRequest.newBuilder().setName("client1").build());
    String token = NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken();
    NodeServiceGrpc.newBlockingStub(anonymous).withDeadlineAfter(10, TimeUnit.SECONDS).join(JoinRequest.newBuilder()
        .setToken(token).setNodeName("node-b").setCsrPem(Pem.encode(Keys.csr(Keys.generateP256(), "node-b"))).build());
    NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .deleteNode(DeleteNodeRequest.newBuilder().setName("node-b").build());

    Timestamp since = Timestamps.of(before);
    List<AuditEvent> events = audit(ListAuditRequest.newBuilder().setSince(since).build());

    assertThat(events).extracting(e -> e.getAction() + " " + e.getTarget()).containsExactly(
        "service.create web", "service.update web", "identity.create client1", "cert.issue client/client1",
        "cert.revoke " + serial, "identity.revoke client1", "token.create ", "node.join node-b", "node.delete node-b");
    String admin = "spiffe://adit.local/admin/admin";
    assertThat(events).filteredOn(e -> !e.getAction().equals("node.join")).allSatisfy(e -> {
      assertThat(e.getActor()).isEqualTo(admin);
      assertThat(Timestamps.toInstant(e.getTime())).isAfterOrEqualTo(before.minusSeconds(1));
    });
    assertThat(events).filteredOn(e -> e.getAction().equals("node.join")).singleElement()
        .satisfies(e -> assertThat(e.getActor()).isEqualTo("join token " + token.split("\\.")[0]));
    assertThat(events).filteredOn(e -> e.getAction().equals("cert.issue")).singleElement()
        .satisfies(e -> assertThat(e.getDetail()).startsWith("serial " + serial));
    assertThat(events).filteredOn(e -> e.getAction().equals("cert.revoke")).singleElement()
        .satisfies(e -> assertThat(e.getDetail()).isEqualTo("client/client1: lost"));

    assertThat(audit(ListAuditRequest.newBuilder().setSince(since).setAction("service.update").build())).hasSize(1);
    assertThat(audit(ListAuditRequest.newBuilder().setSince(Timestamps.of(Instant.now().plusSeconds(60))).build()))
        .isEmpty();
  }
}
