package io.adit.agent.identity;

import io.adit.api.v1.JoinRequest;
import io.adit.api.v1.JoinResponse;
import io.adit.common.config.ClientConfig;
import io.adit.common.files.AtomicFiles;
import io.adit.common.pki.JoinTokens;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.validation.HostPort;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who this node is: its name, its credential for the controllers, and where etcd is. The first
 * start joins with a token and stores the result in the data dir ({@code node.conf}, mode 0600,
 * and {@code etcd-endpoints}); later starts read it back, so a systemd unit that keeps
 * {@code --join-token} restarts cleanly.
 */
public record NodeIdentity(String name, String trustDomain, List<HostPort> controllers, List<String> etcdEndpoints,
    Material material) {
  private static final Logger log = LoggerFactory.getLogger(NodeIdentity.class);
  static final String CONFIG = "node.conf";
  static final String ETCD = "etcd-endpoints";

  public NodeIdentity {
    controllers = List.copyOf(controllers);
    etcdEndpoints = List.copyOf(etcdEndpoints);
  }

  /** A start-up problem the operator must fix; the message says what to do. */
  public static final class JoinException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JoinException(String message) {
      super(message);
    }
  }

  /**
   * Loads the stored identity, or joins with {@code token} if there is none.
   *
   * @param etcdOverride the {@code --etcd} flag, which wins over what the controller said
   */
  public static NodeIdentity establish(Path dataDir, String name, List<HostPort> controllers, Optional<String> token,
      String advertise, List<String> etcdOverride, Clock clock) throws IOException {
    AtomicFiles.ensurePrivateDirectory(dataDir);
    Path config = dataDir.resolve(CONFIG);
    if (Files.exists(config)) {
      NodeIdentity stored = load(dataDir, controllers, etcdOverride);
      if (!stored.name().equals(name)) {
        throw new JoinException(dataDir + " holds the credential of node " + stored.name() + ", not " + name
            + ": use --name " + stored.name() + " or another --data-dir");
      }
      X509Certificate cert = stored.material().certificate();
      Instant expiry = cert.getNotAfter().toInstant();
      if (clock.instant().isAfter(expiry)) {
        if (token.isEmpty()) {
          throw new JoinException("the node certificate expired at " + expiry + " while the agent was down: create a "
              + "new join token (aditctl node token create) and start the agent with --join-token; it keeps its name");
        }
        log.info("the node certificate expired at {}: joining again with the token given", expiry);
        return join(dataDir, name, controllers, token.get(), advertise, etcdOverride, Optional.of(stored.material()));
      }
      token.ifPresent(t -> log.info("already joined as node {}: --join-token is ignored", name));
      return stored;
    }
    if (token.isEmpty()) {
      throw new JoinException("node " + name + " has not joined the cluster yet: start it with --join-token TOKEN "
          + "(an admin makes one with aditctl node token create)");
    }
    return join(dataDir, name, controllers, token.get(), advertise, etcdOverride, Optional.empty());
  }

  private static NodeIdentity join(Path dataDir, String name, List<HostPort> controllers, String tokenText,
      String advertise, List<String> etcdOverride, Optional<Material> previous) throws IOException {
    JoinTokens.Token token = JoinTokens.parse(tokenText).orElseThrow(() -> new JoinException(
        "the join token is malformed: pass it whole, as aditctl node token create printed it"));
    // A re-join keeps the node's key: the CSR for it proves the node holds that key.
    KeyPair keys = previous.map(m -> new KeyPair(m.certificate().getPublicKey(), m.key())).orElseGet(Keys::generateP256);
    JoinRequest.Builder req = JoinRequest.newBuilder()
        .setToken(tokenText)
        .setNodeName(name)
        .setAdvertiseAddress(advertise)
        .setCsrPem(Pem.encode(Keys.csr(keys, name)));
    previous.ifPresent(m -> req.setPreviousCertificatePem(Pem.encode(m.certificate())));
    JoinResponse resp;
    try {
      resp = ControllerClient.join(controllers, token.caHash(), req.build());
    } catch (StatusRuntimeException e) {
      throw new JoinException("joining the cluster failed: " + ControllerClient.reason(e));
    }
    Material m = new Material(keys.getPrivate(), Pem.certificate(resp.getCertificatePem()),
        Pem.certificates(resp.getTrustBundlePem()));
    ClientConfig config = ClientConfig.of(controllers.stream().map(HostPort::toString).toList(), resp.getTrustDomain(),
        new SpiffeId(resp.getTrustDomain(), SpiffeId.Kind.NODE, name).toString(),
        resp.getTrustBundlePem(), resp.getCertificatePem(), Pem.encode(keys.getPrivate()));
    // A new node certificate: its etcd login, if any, is asked for again with it, and the trust
    // bundle is the one the join brought (a stored one may predate a CA rotation this node missed).
    EtcdLogin.forget(dataDir);
    TrustBundle.forget(dataDir);
    config.write(dataDir.resolve(CONFIG));
    AtomicFiles.writePublic(dataDir.resolve(ETCD), String.join("\n", resp.getEtcdEndpointsList()) + "\n");
    log.info("joined the cluster (trust domain {}) as node {}; credential stored in {}", resp.getTrustDomain(), name,
        dataDir.resolve(CONFIG));
    List<String> etcd = etcdOverride.isEmpty() ? resp.getEtcdEndpointsList() : etcdOverride;
    return new NodeIdentity(name, resp.getTrustDomain(), controllers, etcd, m);
  }

  static NodeIdentity load(Path dataDir, List<HostPort> controllers, List<String> etcdOverride) throws IOException {
    ClientConfig c = ClientConfig.read(dataDir.resolve(CONFIG));
    X509Certificate cert = Pem.certificate(c.certPem());
    SpiffeId id = SpiffeId.of(cert).orElseThrow(() -> new JoinException(dataDir.resolve(CONFIG) + " holds no node certificate"));
    List<String> etcd = etcdOverride;
    if (etcd.isEmpty() && Files.exists(dataDir.resolve(ETCD))) {
      etcd = Arrays.stream(Files.readString(dataDir.resolve(ETCD)).split("\\s+")).filter(s -> !s.isBlank()).toList();
    }
    return new NodeIdentity(id.name(), id.trustDomain(), controllers, etcd,
        new Material(Pem.privateKey(c.keyPem()), cert, Pem.certificates(c.caPem())));
  }

  /** Stores a renewed node certificate (same file, same format). */
  public NodeIdentity withMaterial(Path dataDir, Material renewed) throws IOException {
    ClientConfig.of(controllers.stream().map(HostPort::toString).toList(), trustDomain,
        new SpiffeId(trustDomain, SpiffeId.Kind.NODE, name).toString(), Pem.encode(renewed.trust()),
        Pem.encode(renewed.certificate()), Pem.encode(renewed.key())).write(dataDir.resolve(CONFIG));
    return new NodeIdentity(name, trustDomain, controllers, etcdEndpoints, renewed);
  }
}
