package io.adit.controller.node;

import com.google.protobuf.ByteString;
import io.adit.api.v1.DeleteNodeResponse;
import io.adit.api.v1.JoinToken;
import io.adit.api.v1.JoinTokenInfo;
import io.adit.api.v1.Node;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.pki.JoinTokens;
import io.adit.common.pki.Keys;
import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.common.validation.Durations;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.Names;
import io.adit.controller.errors.AlreadyExistsException;
import io.adit.controller.errors.ConflictException;
import io.adit.controller.errors.NotFoundException;
import io.adit.controller.errors.PermissionDeniedException;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Records;
import io.adit.controller.store.Txn;
import io.adit.store.v1.NodePresence;
import io.adit.store.v1.NodeRecord;
import io.adit.store.v1.TokenRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Node membership: join tokens, joining, and the node list. A token is stored as a hash of its
 * secret with its expiry; using it marks it used in the same transaction that registers the
 * node, so a token is spent exactly once even when two agents race with it.
 */
public final class NodeManager {
  public static final Duration DEFAULT_TOKEN_TTL = Duration.ofMinutes(10);

  private final Kv kv;
  private final Clock clock;
  private final Runnable joined;

  public NodeManager(Kv kv, Clock clock) {
    this(kv, clock, () -> { });
  }

  /** @param joined told of every successful join, whose token is then spent (the metrics) */
  public NodeManager(Kv kv, Clock clock, Runnable joined) {
    this.kv = kv;
    this.clock = clock;
    this.joined = joined;
  }

  public JoinToken createToken(Duration ttl, String caHash, String caller) {
    Duration effective = ttl == null || ttl.isZero() ? DEFAULT_TOKEN_TTL : ttl;
    if (effective.isNegative()) {
      throw new InvalidInputException("--ttl must be positive");
    }
    JoinTokens.Token token = JoinTokens.generate(caHash);
    Instant now = clock.instant();
    Instant expires = now.plus(effective);
    TokenRecord record = TokenRecord.newBuilder()
        .setId(token.id())
        .setSecretSha256(ByteString.copyFrom(hash(token.secret())))
        .setCreateTime(Timestamps.of(now))
        .setCreatedBy(caller)
        .setExpireTime(Timestamps.of(expires))
        .build();
    String key = KeyLayout.token(token.id());
    if (!kv.commit(Txn.create().ifAbsent(key).put(key, record.toByteArray()))) {
      throw new FailedPreconditionException("a join token with the same id already exists: run the command again");
    }
    return JoinToken.newBuilder().setToken(token.toString()).setId(token.id()).setExpireTime(Timestamps.of(expires)).build();
  }

  /**
   * Checks a join and registers the node; {@code issue} signs the node's certificate (it runs
   * only once the token and the name are known to be good) and returns its serial.
   *
   * @throws PermissionDeniedException for a malformed, unknown, wrong, used or expired token
   * @throws AlreadyExistsException when another node holds the name
   */
  public void join(String tokenText, String nodeName, String advertiseAddress, List<String> caHashes,
      Function<String, String> issue) {
    join(tokenText, nodeName, advertiseAddress, caHashes, false, issue);
  }

  /**
   * @param sameNode the caller proved it is the node that holds the name (its previous node
   *     certificate, from this cluster's CA, for the key of its CSR): a re-join after its
   *     certificate expired while it was down
   */
  public void join(String tokenText, String nodeName, String advertiseAddress, List<String> caHashes,
      boolean sameNode, Function<String, String> issue) {
    JoinTokens.Token token = JoinTokens.parse(tokenText).orElseThrow(() -> new PermissionDeniedException(
        "the join token is malformed: pass it whole, as `aditctl node token create` printed it"));
    Names.requireDnsLabel("node name", nodeName);
    if (!caHashes.contains(token.caHash())) {
      throw new PermissionDeniedException("join token " + token.id() + " was made for another cluster's CA");
    }
    Kv.Entry tokenEntry = kv.get(KeyLayout.token(token.id())).orElseThrow(() -> new PermissionDeniedException(
        "join token " + token.id() + " is unknown to this cluster: create one with aditctl node token create"));
    TokenRecord record = Records.parse(TokenRecord.parser(), tokenEntry);
    checkToken(token, record);
    Optional<Kv.Entry> existing = kv.get(KeyLayout.nodeInfo(nodeName));
    if (existing.isPresent() && !sameNode) {
      throw nameTaken(nodeName, Records.parse(NodeRecord.parser(), existing.get()));
    }
    String serial = issue.apply(nodeName);
    Instant now = clock.instant();
    TokenRecord used = record.toBuilder().setUsedTime(Timestamps.of(now)).setUsedBy(nodeName).build();
    NodeRecord node = existing.map(e -> Records.parse(NodeRecord.parser(), e).toBuilder())
        .orElseGet(() -> NodeRecord.newBuilder().setName(nodeName).setJoinTime(Timestamps.of(now)))
        .setTokenId(token.id())
        .setAdvertiseAddress(advertiseAddress)
        .setCertSerial(serial)
        .build();
    String infoKey = KeyLayout.nodeInfo(nodeName);
    boolean ok = kv.commit(Txn.create()
        .ifModRevision(tokenEntry.key(), tokenEntry.modRevision())
        .ifModRevision(infoKey, existing.map(Kv.Entry::modRevision).orElse(0L))
        .put(tokenEntry.key(), used.toByteArray())
        .put(infoKey, node.toByteArray()));
    if (!ok) {
      // Someone raced us: say precisely what happened.
      kv.get(KeyLayout.token(token.id())).ifPresent(e -> checkToken(token, Records.parse(TokenRecord.parser(), e)));
      kv.get(infoKey).ifPresent(e -> {
        throw nameTaken(nodeName, Records.parse(NodeRecord.parser(), e));
      });
      throw new FailedPreconditionException("the join of node " + nodeName + " raced with another change: retry");
    }
    joined.run();
  }

  private void checkToken(JoinTokens.Token token, TokenRecord record) {
    if (!MessageDigest.isEqual(hash(token.secret()), record.getSecretSha256().toByteArray())) {
      throw new PermissionDeniedException("join token " + token.id() + " does not match the one this cluster issued");
    }
    if (Timestamps.isSet(record.getRevokeTime())) {
      throw new PermissionDeniedException("join token " + token.id() + " was revoked at "
          + Timestamps.toInstant(record.getRevokeTime()) + " by " + record.getRevokedBy()
          + ": create a new one with aditctl node token create");
    }
    if (Timestamps.isSet(record.getUsedTime())) {
      throw new PermissionDeniedException("join token " + token.id() + " was already used by node " + record.getUsedBy()
          + " at " + Timestamps.toInstant(record.getUsedTime()) + ": tokens are single-use, create a new one with aditctl node token create");
    }
    Instant expiry = Timestamps.toInstant(record.getExpireTime());
    if (!clock.instant().isBefore(expiry)) {
      throw new PermissionDeniedException("join token " + token.id() + " expired at " + expiry
          + ": create a new one with aditctl node token create");
    }
  }

  private static AlreadyExistsException nameTaken(String name, NodeRecord existing) {
    return new AlreadyExistsException("node name '" + name + "' is held by another node that joined at "
        + Timestamps.toInstant(existing.getJoinTime()) + ": choose another --name");
  }

  public List<Node> list() {
    Map<String, Node.Builder> nodes = new LinkedHashMap<>();
    Map<String, NodePresence> presence = new LinkedHashMap<>();
    Map<String, NodePresence> heartbeat = new LinkedHashMap<>();
    for (Kv.Entry e : kv.list(KeyLayout.NODES).entries()) {
      String[] parts = KeyLayout.splitNodeKey(e.key());
      if (parts == null) {
        continue;
      }
      if (parts[1].equals("info")) {
        NodeRecord r = Records.parse(NodeRecord.parser(), e);
        nodes.put(parts[0], Node.newBuilder()
            .setName(r.getName())
            .setJoinTime(r.getJoinTime())
            .setAdvertiseAddress(r.getAdvertiseAddress())
            .setTokenId(r.getTokenId()));
      } else if (parts[1].equals("presence")) {
        presence.put(parts[0], Records.parse(NodePresence.parser(), e));
      } else if (parts[1].equals("heartbeat")) {
        heartbeat.put(parts[0], Records.parse(NodePresence.parser(), e));
      }
    }
    List<Node> out = new ArrayList<>();
    nodes.forEach((name, b) -> {
      NodePresence p = presence.get(name);
      NodePresence h = heartbeat.get(name);
      b.setReady(p != null);
      for (NodePresence seen : new NodePresence[] {p, h}) {
        if (seen != null && Timestamps.toInstant(seen.getHeartbeatTime()).isAfter(Timestamps.toInstant(b.getLastHeartbeat()))) {
          b.setLastHeartbeat(seen.getHeartbeatTime());
        }
      }
      out.add(b.build());
    });
    return out;
  }

  /**
   * Deletes a node's records (info, presence, heartbeat, status) and frees its name, if no
   * service names it in {@code --node}; {@code revoke} revokes its certificates first and
   * returns their serials.
   */
  public DeleteNodeResponse delete(String name, List<ServiceSpec> services, Function<String, List<String>> revoke) {
    Names.requireDnsLabel("node name", name);
    Kv.Entry info = kv.get(KeyLayout.nodeInfo(name)).orElseThrow(() -> new NotFoundException(
        "node '" + name + "' does not exist (aditctl node list shows the nodes)"));
    List<String> placed = services.stream().filter(s -> s.getNodesList().contains(name)).map(ServiceSpec::getName)
        .sorted().toList();
    if (!placed.isEmpty()) {
      throw new FailedPreconditionException("node " + name + " still runs " + String.join(", ", placed)
          + " (placed with --node): move " + (placed.size() == 1 ? "it" : "them")
          + " first, e.g. aditctl service update " + placed.get(0) + " --node OTHER");
    }
    Node node = list().stream().filter(n -> n.getName().equals(name)).findFirst()
        .orElseGet(() -> Node.newBuilder().setName(name).build());
    List<String> serials = revoke.apply(name);
    if (!kv.commit(Txn.create().ifModRevision(info.key(), info.modRevision()).deletePrefix(KeyLayout.nodePrefix(name)))) {
      throw new ConflictException("node " + name + " changed while it was being deleted (did it re-join?): run the command again");
    }
    return DeleteNodeResponse.newBuilder().setNode(node).addAllRevokedSerials(serials).build();
  }

  /** Every join token, oldest first, without secrets. */
  public List<JoinTokenInfo> tokens() {
    return kv.list(KeyLayout.TOKENS).entries().stream()
        .map(e -> info(Records.parse(TokenRecord.parser(), e)))
        .sorted(java.util.Comparator.comparing((JoinTokenInfo t) -> Timestamps.toInstant(t.getCreateTime())))
        .toList();
  }

  /** Revokes an unused token (given by id or whole); revoking it again keeps the first time. */
  public JoinTokenInfo revokeToken(String idOrToken, String caller) {
    String id = JoinTokens.parse(idOrToken).map(JoinTokens.Token::id).orElse(idOrToken.strip());
    if (id.isEmpty() || !id.matches("[0-9a-f]{1,64}")) {
      throw new InvalidInputException("'" + idOrToken + "' is not a join token id: aditctl node token list shows them");
    }
    Kv.Entry e = kv.get(KeyLayout.token(id)).orElseThrow(() -> new NotFoundException(
        "join token " + id + " does not exist (aditctl node token list shows the tokens)"));
    TokenRecord r = Records.parse(TokenRecord.parser(), e);
    if (Timestamps.isSet(r.getUsedTime())) {
      throw new FailedPreconditionException("join token " + id + " was already used by node " + r.getUsedBy()
          + ": it cannot join anything any more; to remove that node, aditctl node delete " + r.getUsedBy());
    }
    if (Timestamps.isSet(r.getRevokeTime())) {
      return info(r);
    }
    TokenRecord revoked = r.toBuilder().setRevokeTime(Timestamps.of(clock.instant())).setRevokedBy(caller).build();
    if (!kv.commit(Txn.create().ifModRevision(e.key(), e.modRevision()).put(e.key(), revoked.toByteArray()))) {
      throw new ConflictException("join token " + id + " changed while it was being revoked (was it just used?): run the"
          + " command again");
    }
    return info(revoked);
  }

  private static JoinTokenInfo info(TokenRecord r) {
    return JoinTokenInfo.newBuilder().setId(r.getId()).setCreateTime(r.getCreateTime()).setCreatedBy(r.getCreatedBy())
        .setExpireTime(r.getExpireTime()).setUsedTime(r.getUsedTime()).setUsedBy(r.getUsedBy())
        .setRevokeTime(r.getRevokeTime()).setRevokedBy(r.getRevokedBy()).build();
  }

  public boolean exists(String node) {
    return kv.get(KeyLayout.nodeInfo(node)).isPresent();
  }

  static byte[] hash(String secret) {
    return Keys.sha256(secret.getBytes(StandardCharsets.UTF_8));
  }

  static String describe(Duration ttl) {
    return Durations.format(ttl);
  }
}
