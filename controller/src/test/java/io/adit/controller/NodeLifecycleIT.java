package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.CreateJoinTokenRequest;
import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.DeleteNodeRequest;
import io.adit.api.v1.DeleteNodeResponse;
import io.adit.api.v1.DeleteServiceRequest;
import io.adit.api.v1.JoinRequest;
import io.adit.api.v1.JoinTokenInfo;
import io.adit.api.v1.ListJoinTokensRequest;
import io.adit.api.v1.ListServicesRequest;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.RevokeJoinTokenRequest;
import io.adit.api.v1.ServiceSpec;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Join tokens listed and revoked; a node deleted: its certificate refused, its name free again. */
class NodeLifecycleIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Controller controller;
  static ClientConfig admin;
  static ManagedChannel channel;
  static ManagedChannel anonymous;

  @BeforeAll
  static void start() throws Exception {
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl")));
    admin = ClientConfig.read(controller.adminConfig());
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

  static NodeServiceGrpc.NodeServiceBlockingStub nodes(ManagedChannel c) {
    return NodeServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static String token() {
    return nodes(channel).createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken();
  }

  /** Joins {@code name}; returns a channel that presents the node's certificate. */
  static ManagedChannel join(String token, String name) {
    KeyPair key = Keys.generateP256();
    String cert = nodes(anonymous).join(JoinRequest.newBuilder().setToken(token).setNodeName(name)
        .setCsrPem(Pem.encode(Keys.csr(key, name))).build()).getCertificatePem();
    return TestChannels.as(controller.port(), Pem.certificates(admin.caPem()), key.getPrivate(), Pem.certificate(cert));
  }

  static Status.Code code(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void aRevokedTokenCannotJoinAndAUsedOneCannotBeRevoked() {
    String unused = token();
    String id = unused.substring(0, unused.indexOf('.'));
    JoinTokenInfo revoked = nodes(channel).revokeJoinToken(RevokeJoinTokenRequest.newBuilder().setId(id).build());
    assertThat(revoked.getRevokedBy()).endsWith("/admin/admin");
    assertThatThrownBy(() -> join(unused, "node-r"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains("was revoked at");
        });

    String used = token();
    join(used, "node-u").shutdownNow();
    assertThatThrownBy(() -> nodes(channel).revokeJoinToken(RevokeJoinTokenRequest.newBuilder().setId(used).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("already used by node node-u");
        });

    assertThat(nodes(channel).listJoinTokens(ListJoinTokensRequest.getDefaultInstance()).getTokensList())
        .anySatisfy(t -> assertThat(t.getId()).isEqualTo(id))
        .anySatisfy(t -> assertThat(t.getUsedBy()).isEqualTo("node-u"))
        .allSatisfy(t -> assertThat(t.toString()).doesNotContain(unused.substring(id.length() + 1)));
  }

  @Test
  void deletingANodeRevokesItsCertificateAndFreesItsName() throws Exception {
    ManagedChannel node = join(token(), "node-d");
    try {
      assertThat(code(() -> TunnelServiceGrpc.newBlockingStub(node).withDeadlineAfter(10, TimeUnit.SECONDS)
          .listServices(ListServicesRequest.getDefaultInstance()))).isEqualTo(Status.Code.OK);
      TunnelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).createService(CreateServiceRequest
          .newBuilder().setSpec(ServiceSpec.newBuilder().setName("on-d").setAccept("6000").addConnect("127.0.0.1:7000")
              .addNodes("node-d")).build());

      assertThatThrownBy(() -> nodes(channel).deleteNode(DeleteNodeRequest.newBuilder().setName("node-d").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).contains("node node-d still runs on-d");
          });

      TunnelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .deleteService(DeleteServiceRequest.newBuilder().setName("on-d").build());
      DeleteNodeResponse deleted = nodes(channel).deleteNode(DeleteNodeRequest.newBuilder().setName("node-d").build());

      assertThat(deleted.getNode().getName()).isEqualTo("node-d");
      assertThat(deleted.getRevokedSerialsList()).hasSize(1);
      assertThat(code(() -> TunnelServiceGrpc.newBlockingStub(node).withDeadlineAfter(10, TimeUnit.SECONDS)
          .listServices(ListServicesRequest.getDefaultInstance()))).isEqualTo(Status.Code.UNAUTHENTICATED);
      join(token(), "node-d").shutdownNow();
      assertThat(code(() -> nodes(channel).deleteNode(DeleteNodeRequest.newBuilder().setName("nobody").build())))
          .isEqualTo(Status.Code.NOT_FOUND);
    } finally {
      node.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
