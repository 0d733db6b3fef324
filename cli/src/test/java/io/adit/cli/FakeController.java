package io.adit.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.adit.api.v1.ApplyRequest;
import io.adit.api.v1.ApplyResponse;
import io.adit.api.v1.AuditEvent;
import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.Crl;
import io.adit.api.v1.DeleteNodeResponse;
import io.adit.api.v1.Identity;
import io.adit.api.v1.JoinToken;
import io.adit.api.v1.JoinTokenInfo;
import io.adit.api.v1.Node;
import io.adit.api.v1.Revocation;
import io.adit.api.v1.Service;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.api.v1.TrustBundle;
import io.adit.api.v1.UpdateServiceRequest;
import io.adit.cli.client.ControllerApi;
import io.adit.cli.client.Target;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.grpc.Status;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The controller in memory, enough to drive the commands: versions, not-found and conflicts
 * as the real one reports them, a CA that signs CSRs, and a log of every call made.
 */
public final class FakeController implements ControllerApi {
  public final Map<String, Service> services = new TreeMap<>();
  public final Map<String, Identity> identities = new TreeMap<>();
  public final List<Node> nodes = new ArrayList<>();
  public final List<String> calls = new ArrayList<>();
  public final List<Object> requests = new ArrayList<>();
  public final TestPki pki = new TestPki("fake-ca");
  public List<String> warnings = List.of();
  /** Thrown by the next call whose name (e.g. "updateService") matches; then cleared. */
  public String failCall;
  public Status failWith;
  /** How many calls named {@link #failCall} succeed before the one that fails. */
  public int failCallAfter;
  public Path configFile = Path.of("fake.conf");
  public boolean closed;
  private final AtomicLong revision = new AtomicLong(100);

  private void enter(String call, Object request) {
    calls.add(call);
    requests.add(request);
    if (call.equals(failCall)) {
      if (failCallAfter > 0) {
        failCallAfter--;
        return;
      }
      failCall = null;
      throw failWith.asRuntimeException();
    }
  }

  public String bundlePem() {
    return Pem.encode(pki.ca);
  }

  @Override
  public Target target() {
    return new Target(configFile, List.of("ctl-1:7443", "ctl-2:7443"));
  }

  @Override
  public Service createService(CreateServiceRequest r) {
    enter("createService", r);
    String name = r.getSpec().getName();
    if (services.containsKey(name)) {
      throw Status.ALREADY_EXISTS.withDescription("service " + name + " already exists").asRuntimeException();
    }
    Service s = Service.newBuilder().setSpec(r.getSpec()).setVersion(r.getDryRun() ? 0 : revision.incrementAndGet())
        .addAllWarnings(warnings).build();
    if (!r.getDryRun()) {
      services.put(name, s);
    }
    return s;
  }

  @Override
  public Service updateService(UpdateServiceRequest r) {
    enter("updateService", r);
    Service current = getServiceQuietly(r.getSpec().getName());
    if (r.getExpectedVersion() != 0 && r.getExpectedVersion() != current.getVersion()) {
      throw Status.ABORTED.withDescription("version mismatch").asRuntimeException();
    }
    Service s = current.toBuilder().setSpec(r.getSpec()).setVersion(revision.incrementAndGet())
        .clearWarnings().addAllWarnings(warnings).build();
    if (!r.getDryRun()) {
      services.put(s.getSpec().getName(), s);
    }
    return s;
  }

  @Override
  public Service getService(String name) {
    enter("getService", name);
    return getServiceQuietly(name);
  }

  private Service getServiceQuietly(String name) {
    Service s = services.get(name);
    if (s == null) {
      throw Status.NOT_FOUND.withDescription("service " + name + " not found").asRuntimeException();
    }
    return s;
  }

  @Override
  public List<Service> listServices() {
    enter("listServices", null);
    return List.copyOf(services.values());
  }

  @Override
  public Service deleteService(String name, boolean dryRun) {
    enter("deleteService", name);
    Service s = getServiceQuietly(name);
    if (!dryRun) {
      services.remove(name);
    }
    return s;
  }

  @Override
  public Identity createIdentity(String name, boolean dryRun) {
    enter("createIdentity", name);
    Identity i = Identity.newBuilder().setName(name).setVersion(dryRun ? 0 : revision.incrementAndGet()).build();
    if (!dryRun) {
      identities.put(name, i);
    }
    return i;
  }

  /** The response the next apply returns; the request is logged. */
  public ApplyResponse applyResponse = ApplyResponse.getDefaultInstance();

  @Override
  public ApplyResponse apply(ApplyRequest request) {
    enter("apply", request);
    return applyResponse;
  }

  @Override
  public Identity getIdentity(String name) {
    enter("getIdentity", name);
    Identity i = identities.get(name);
    if (i == null) {
      throw Status.NOT_FOUND.withDescription("identity " + name + " not found").asRuntimeException();
    }
    return i;
  }

  @Override
  public List<Identity> listIdentities() {
    enter("listIdentities", null);
    return List.copyOf(identities.values());
  }

  @Override
  public Identity revokeIdentity(String name) {
    enter("revokeIdentity", name);
    Identity i = getIdentity(name).toBuilder().setRevoked(true).build();
    identities.put(name, i);
    return i;
  }

  public final List<AuditEvent> audit = new ArrayList<>();

  @Override
  public List<AuditEvent> listAudit(java.time.Instant since, String action) {
    enter("listAudit", since);
    return audit.stream().filter(e -> since == null || e.getTime().getSeconds() >= since.getEpochSecond())
        .filter(e -> action.isEmpty() || e.getAction().equals(action)).toList();
  }

  public final List<JoinTokenInfo> tokens = new ArrayList<>();

  @Override
  public DeleteNodeResponse deleteNode(String name) {
    enter("deleteNode", name);
    Node node = nodes.stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow(() ->
        Status.NOT_FOUND.withDescription("node '" + name + "' does not exist").asRuntimeException());
    nodes.remove(node);
    return DeleteNodeResponse.newBuilder().setNode(node).addRevokedSerials("abc123").build();
  }

  @Override
  public List<JoinTokenInfo> listJoinTokens() {
    enter("listJoinTokens", null);
    return List.copyOf(tokens);
  }

  @Override
  public JoinTokenInfo revokeJoinToken(String id) {
    enter("revokeJoinToken", id);
    JoinTokenInfo t = tokens.stream().filter(i -> i.getId().equals(id)).findFirst().orElseThrow(() ->
        Status.NOT_FOUND.withDescription("join token " + id + " does not exist").asRuntimeException());
    JoinTokenInfo revoked = t.toBuilder().setRevokeTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1)).build();
    tokens.set(tokens.indexOf(t), revoked);
    return revoked;
  }

  public final List<Revocation> revocations = new ArrayList<>();

  @Override
  public Revocation revokeCertificate(String serial, String reason) {
    enter("revokeCertificate", serial);
    Revocation r = Revocation.newBuilder().setSerial(serial.toLowerCase(java.util.Locale.ROOT)).setReason(reason)
        .setKind(io.adit.api.v1.Kind.KIND_CLIENT).setName("client1")
        .setRevokeTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_750_000_000L))
        .setRevokedBy("spiffe://adit.local/admin/admin").build();
    revocations.add(r);
    return r;
  }

  @Override
  public List<Revocation> listRevocations() {
    enter("listRevocations", null);
    return List.copyOf(revocations);
  }

  @Override
  public SignCertificateResponse signCertificate(SignCertificateRequest r) {
    enter("signCertificate", r);
    try {
      PublicKey key = new JcaPKCS10CertificationRequest(Pem.csr(r.getCsrPem())).getPublicKey();
      Duration life = Duration.ofSeconds(r.getTtlSeconds() == 0 ? 86400 : r.getTtlSeconds());
      X509Certificate cert = pki.leaf(key, r.getName(), Instant.now().minusSeconds(30), life,
          List.of(KeyPurposeId.id_kp_clientAuth), "spiffe://adit.local/client/" + r.getName());
      return SignCertificateResponse.newBuilder()
          .setCertificatePem(Pem.encode(cert))
          .setTrustBundlePem(bundlePem())
          .setSerial(Keys.serialHex(cert))
          .setNotAfter(Timestamp.newBuilder().setSeconds(cert.getNotAfter().toInstant().getEpochSecond()))
          .build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public TrustBundle getTrustBundle() {
    enter("getTrustBundle", null);
    return TrustBundle.newBuilder().setPem(bundlePem()).setTrustDomain("adit.local")
        .addCaHashes(Keys.spkiHash(pki.ca)).build();
  }

  /** A real CRL signed by the fake CA, listing serial 0x1234 revoked at {@code crlThisUpdate}. */
  public final Instant crlThisUpdate = Instant.parse("2025-06-01T11:30:00Z");
  public final byte[] crlDer = pki.crl(List.of(BigInteger.valueOf(0x1234)), crlThisUpdate, crlThisUpdate.plusSeconds(3600), 42);

  public String crlPem() {
    return "-----BEGIN X509 CRL-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(crlDer)
        + "\n-----END X509 CRL-----\n";
  }

  @Override
  public Crl getCrl() {
    enter("getCrl", null);
    return Crl.newBuilder().setPem(crlPem()).setDer(ByteString.copyFrom(crlDer))
        .setThisUpdate(Timestamp.newBuilder().setSeconds(crlThisUpdate.getEpochSecond()))
        .setNextUpdate(Timestamp.newBuilder().setSeconds(crlThisUpdate.getEpochSecond() + 3600))
        .setCrlNumber(42).setRevokedCount(1).build();
  }

  /** What rotateCa returns; listCas returns the head of {@link #cas} (the last one stays). */
  public io.adit.api.v1.RotateCaResponse rotation = io.adit.api.v1.RotateCaResponse.getDefaultInstance();
  public final java.util.ArrayDeque<io.adit.api.v1.ListCasResponse> cas = new java.util.ArrayDeque<>();

  @Override
  public io.adit.api.v1.RotateCaResponse rotateCa() {
    enter("rotateCa", null);
    return rotation;
  }

  @Override
  public io.adit.api.v1.ListCasResponse listCas() {
    enter("listCas", null);
    return cas.size() > 1 ? cas.poll() : cas.peek();
  }

  @Override
  public Crl getCrl(io.adit.api.v1.GetCrlRequest request) {
    Crl crl = getCrl();
    requests.set(requests.size() - 1, request);
    return request.getAllTrusted() ? crl.toBuilder().setPem(crl.getPem() + crl.getPem()).build() : crl;
  }

  @Override
  public List<Node> listNodes() {
    enter("listNodes", null);
    return List.copyOf(nodes);
  }

  @Override
  public JoinToken createJoinToken(long ttlSeconds) {
    enter("createJoinToken", ttlSeconds);
    return JoinToken.newBuilder().setToken("tok1.secret").setId("tok1")
        .setExpireTime(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 600)).build();
  }

  @Override
  public void close() {
    closed = true;
  }
}
