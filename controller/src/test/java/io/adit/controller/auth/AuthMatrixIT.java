package io.adit.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.Message;
import io.adit.api.v1.AuditServiceGrpc;
import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.CreateIdentityRequest;
import io.adit.api.v1.CreateJoinTokenRequest;
import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.JoinRequest;
import io.adit.api.v1.Kind;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.TunnelServiceGrpc;
import io.adit.common.config.ClientConfig;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.validation.HostPort;
import io.adit.controller.Controller;
import io.adit.controller.ControllerConfig;
import io.adit.controller.TestAccess;
import io.adit.controller.ca.Authorities;
import io.adit.controller.ca.CaMaterial;
import io.adit.controller.ca.CertificateSigner;
import io.adit.testing.EtcdExtension;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every RPC × every kind of caller, against a real controller over real TLS on loopback: who
 * may call what, and what each refusal says.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuthMatrixIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  enum Who { ADMIN, NODE, NODE_B, CLIENT, NO_CERTIFICATE, OTHER_CA, EXPIRED }

  static Controller controller;
  static final Map<Who, ManagedChannel> channels = new EnumMap<>(Who.class);

  @BeforeAll
  static void start() throws Exception {
    // The admin's RotateCa case prepares a new CA: it must not activate (and change the
    // controller's serving certificate) while the matrix runs.
    controller = Controller.start(ControllerConfig.of(etcd.endpoints(), new HostPort("127.0.0.1", 0), dir.resolve("ctl")),
        Clock.systemUTC(), new io.adit.controller.ca.CaRotation.Settings(Duration.ofHours(1), Duration.ofHours(1)));
    ClientConfig admin = ClientConfig.read(controller.adminConfig());
    List<X509Certificate> trust = controller.authority().bundle();
    int port = controller.port();
    ManagedChannel adminChannel = TestAccess.channel(port, trust, Pem.privateKey(admin.keyPem()), Pem.certificate(admin.certPem()));
    channels.put(Who.ADMIN, adminChannel);
    channels.put(Who.NO_CERTIFICATE, TestAccess.channel(port, trust, null));

    // A node: join with a token.
    String token = NodeServiceGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken();
    KeyPair nodeKey = Keys.generateP256();
    String nodeCert = NodeServiceGrpc.newBlockingStub(channels.get(Who.NO_CERTIFICATE)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .join(JoinRequest.newBuilder().setToken(token).setNodeName("node-a").setCsrPem(Pem.encode(Keys.csr(nodeKey, "node-a"))).build())
        .getCertificatePem();
    channels.put(Who.NODE, TestAccess.channel(port, trust, nodeKey.getPrivate(), Pem.certificate(nodeCert)));
    channels.put(Who.NODE_B, joined(adminChannel, port, trust, "node-b"));
    // A service placed on node-a only, and a client-mode one there that uses identity client1.
    TunnelServiceGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS).createService(
        CreateServiceRequest.newBuilder().setSpec(ServiceSpec.newBuilder().setName("on-a").setAccept("6000")
            .addConnect("127.0.0.1:7000").addNodes("node-a")).build());

    // A client identity's certificate.
    IdentityServiceGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createIdentity(CreateIdentityRequest.newBuilder().setName("client1").build());
    KeyPair clientKey = Keys.generateP256();
    String clientCert = CertificateServiceGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .signCertificate(SignCertificateRequest.newBuilder().setKind(Kind.KIND_CLIENT).setName("client1")
            .setCsrPem(Pem.encode(Keys.csr(clientKey, "client1"))).build())
        .getCertificatePem();
    channels.put(Who.CLIENT, TestAccess.channel(port, trust, clientKey.getPrivate(), Pem.certificate(clientCert)));

    // An admin certificate from another CA with the same trust domain: it must not pass.
    SpiffeId adminId = new SpiffeId("adit.local", SpiffeId.Kind.ADMIN, "admin");
    CaMaterial otherCa = Authorities.createRoot("adit.local", Clock.systemUTC());
    KeyPair otherKey = Keys.generateP256();
    X509Certificate otherCert = new CertificateSigner(otherCa, Clock.systemUTC())
        .sign(Keys.csr(otherKey, "admin"), CertificateSigner.LeafRequest.of(adminId, Duration.ofHours(1)));
    channels.put(Who.OTHER_CA, TestAccess.channel(port, trust, otherKey.getPrivate(), otherCert));

    // An admin certificate from the cluster's own CA that has expired.
    KeyPair expiredKey = Keys.generateP256();
    Clock past = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-3));
    X509Certificate expired = new CertificateSigner(controller.authority().active(), past)
        .sign(Keys.csr(expiredKey, "admin"), CertificateSigner.LeafRequest.of(adminId, Duration.ofMinutes(1)));
    channels.put(Who.EXPIRED, TestAccess.channel(port, trust, expiredKey.getPrivate(), expired));
  }

  /** A channel presenting the certificate of a node that joined as {@code name}. */
  static ManagedChannel joined(ManagedChannel admin, int port, List<X509Certificate> trust, String name) {
    String token = NodeServiceGrpc.newBlockingStub(admin).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createJoinToken(CreateJoinTokenRequest.getDefaultInstance()).getToken();
    KeyPair key = Keys.generateP256();
    ManagedChannel anonymous = TestAccess.channel(port, trust, null);
    try {
      String cert = NodeServiceGrpc.newBlockingStub(anonymous).withDeadlineAfter(10, TimeUnit.SECONDS)
          .join(JoinRequest.newBuilder().setToken(token).setNodeName(name).setCsrPem(Pem.encode(Keys.csr(key, name))).build())
          .getCertificatePem();
      return TestAccess.channel(port, trust, key.getPrivate(), Pem.certificate(cert));
    } finally {
      anonymous.shutdownNow();
    }
  }

  @AfterAll
  static void stop() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    if (controller != null) {
      controller.close();
    }
  }

  static Stream<Arguments> matrix() {
    List<Arguments> out = new ArrayList<>();
    AccessPolicy policy = AccessPolicy.standard();
    for (ServiceDescriptor d : new ServiceDescriptor[] {TunnelServiceGrpc.getServiceDescriptor(),
        IdentityServiceGrpc.getServiceDescriptor(), CertificateServiceGrpc.getServiceDescriptor(),
        NodeServiceGrpc.getServiceDescriptor(), AuditServiceGrpc.getServiceDescriptor()}) {
      for (MethodDescriptor<?, ?> m : d.getMethods()) {
        for (Who who : Who.values()) {
          out.add(Arguments.of(AuthInterceptor.shortName(m.getFullMethodName()), who, m, expected(policy, m, who)));
        }
      }
    }
    return out.stream();
  }

  /** What a caller should see: "reached" the service, or a refusal code with a message part. */
  record Expect(Status.Code code, String message) {
    static final Expect REACHED = new Expect(null, null);
  }

  static Expect expected(AccessPolicy policy, MethodDescriptor<?, ?> m, Who who) {
    String name = m.getFullMethodName();
    return switch (who) {
      case EXPIRED -> new Expect(Status.Code.UNAUTHENTICATED, "expired at");
      case OTHER_CA -> new Expect(Status.Code.UNAUTHENTICATED, "not issued by this cluster's CA");
      case NO_CERTIFICATE -> policy.isOpen(name) ? Expect.REACHED : new Expect(Status.Code.UNAUTHENTICATED, "no client certificate");
      case ADMIN -> Expect.REACHED;
      case NODE, NODE_B -> policy.isOpen(name) || policy.permits(name, SpiffeId.Kind.NODE) ? Expect.REACHED
          : new Expect(Status.Code.PERMISSION_DENIED, "may not call");
      case CLIENT -> policy.isOpen(name) ? Expect.REACHED : new Expect(Status.Code.PERMISSION_DENIED, "may not call");
    };
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("matrix")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void eachCallerGetsWhatItsRoleAllows(String rpc, Who who, MethodDescriptor method, Expect expect) {
    Message request = (Message) ((MethodDescriptor.PrototypeMarshaller) method.getRequestMarshaller()).getMessagePrototype();
    Status.Code code;
    String description;
    try {
      ClientCalls.blockingUnaryCall(channels.get(who), method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
      code = Status.Code.OK;
      description = "";
    } catch (StatusRuntimeException e) {
      code = e.getStatus().getCode();
      description = String.valueOf(e.getStatus().getDescription());
    }
    if (expect == Expect.REACHED) {
      // The call got past authentication and authorization; an empty request may still be invalid.
      assertThat(code).as(rpc + " as " + who + ": " + description).isNotIn(Status.Code.UNAUTHENTICATED, Status.Code.UNAVAILABLE);
      assertThat(description).as(rpc + " as " + who).doesNotContain("may not call");
    } else {
      assertThat(code).as(rpc + " as " + who + ": " + description).isEqualTo(expect.code());
      assertThat(description).contains(expect.message());
    }
    if (code == Status.Code.INTERNAL) {
      fail(rpc + " as " + who + " failed inside the controller: " + description);
    }
  }

  static Status.Code sign(Who who, Kind kind, String name) {
    try {
      CertificateServiceGrpc.newBlockingStub(channels.get(who)).withDeadlineAfter(10, TimeUnit.SECONDS)
          .signCertificate(SignCertificateRequest.newBuilder().setKind(kind).setName(name)
              .setCsrPem(Pem.encode(Keys.csr(Keys.generateP256(), name))).build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void aNodeGetsCertificatesOnlyForItselfAndWhatIsPlacedOnIt() {
    assertThat(sign(Who.NODE, Kind.KIND_SERVICE, "on-a")).isEqualTo(Status.Code.OK);
    assertThat(sign(Who.NODE_B, Kind.KIND_SERVICE, "on-a")).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(sign(Who.NODE_B, Kind.KIND_NODE, "node-b")).isEqualTo(Status.Code.OK);
    assertThat(sign(Who.NODE_B, Kind.KIND_NODE, "node-a")).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(sign(Who.NODE_B, Kind.KIND_CLIENT, "client1")).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(sign(Who.NODE_B, Kind.KIND_ADMIN, "node-b")).isEqualTo(Status.Code.PERMISSION_DENIED);
  }
}
