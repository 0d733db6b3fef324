package io.adit.controller.store.etcd;

import io.adit.common.store.KeyLayout;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.store.NodeAccess;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.auth.Permission;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One etcd user and role per node ({@code adit-node-<node>}), so that an agent reads the specs,
 * identities, revocations, node records and the public trust bundle, and writes nothing but its
 * own presence, heartbeat, status and trust report. Nothing under {@code ca/}, {@code tokens/}, {@code issued/} or {@code audit/}.
 *
 * <p>etcd permissions are key ranges [key, range_end): a range end of {@link KeyLayout#rangeEnd}
 * is a prefix, an empty one a single key. The node may not write its own {@code info}: it could
 * otherwise change the address other nodes dial, or keep rewriting it so that a delete
 * conditional on it never succeeds.
 */
public final class EtcdNodeUsers implements NodeAccess {
  static final String PREFIX = "adit-node-";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final EtcdKv kv;
  private final Auth auth;

  public EtcdNodeUsers(EtcdKv kv) {
    this.kv = kv;
    this.auth = kv.client().getAuthClient();
  }

  /** The etcd user (and role) of a node. */
  public static String user(String node) {
    return PREFIX + node;
  }

  /** What a node's role holds, nothing more. */
  static List<Permission> permissions(String node) {
    return List.of(
        prefix(Permission.Type.READ, KeyLayout.SERVICES),
        prefix(Permission.Type.READ, KeyLayout.IDENTITIES),
        prefix(Permission.Type.READ, KeyLayout.REVOKED),
        // Node records hold no secrets; client-mode services find the nodes of their --to here.
        prefix(Permission.Type.READ, KeyLayout.NODES),
        // The public trust bundle (CA certificates only; the sealed CA keys are under ca/).
        prefix(Permission.Type.READ, KeyLayout.TRUST),
        key(Permission.Type.WRITE, KeyLayout.nodePresence(node)),
        key(Permission.Type.WRITE, KeyLayout.nodeHeartbeat(node)),
        // Which trust bundle the agent holds, for a CA rotation's activation.
        key(Permission.Type.WRITE, KeyLayout.nodeTrust(node)),
        prefix(Permission.Type.WRITE, KeyLayout.nodeStatusPrefix(node)));
  }

  /**
   * Checks at start-up that the controller's user may manage users and roles, which etcd allows
   * only to the root role.
   */
  public static void requireRoot(EtcdKv kv, String user) {
    List<String> roles = kv.awaitAuth(kv.client().getAuthClient().userGet(bytes(user)), "read etcd user " + user).getRoles();
    if (!roles.contains("root")) {
      throw new FailedPreconditionException("etcd user " + user + " does not have the root role, which the controller needs"
          + " to give each node an etcd user of its own: etcdctl user grant-role " + user + " root");
    }
  }

  @Override
  public Optional<Credential> grant(String node) {
    String name = user(node);
    ByteSequence role = bytes(name);
    ignoring("role name already exists", () -> kv.awaitAuth(auth.roleAdd(role), "create etcd role " + name));
    permit(node);
    String password = password();
    boolean created = ignoring("user name already exists",
        () -> kv.awaitAuth(auth.userAdd(role, bytes(password)), "create etcd user " + name));
    if (!created) {
      kv.awaitAuth(auth.userChangePassword(role, bytes(password)), "set the password of etcd user " + name);
    }
    kv.awaitAuth(auth.userGrantRole(role, role), "give etcd user " + name + " its role");
    return Optional.of(new Credential(name, password));
  }

  /** An existing role gets exactly today's permissions (an upgrade may have changed them); no role, nothing. */
  @Override
  public void refresh(String node) {
    String name = user(node);
    boolean exists = ignoring("role name not found", () -> kv.awaitAuth(auth.roleGet(bytes(name)), "read etcd role " + name));
    if (exists) {
      permit(node);
    }
  }

  /** Narrows the node's role to {@link #permissions}, then grants each of them. */
  private void permit(String node) {
    String name = user(node);
    ByteSequence role = bytes(name);
    List<Permission> wanted = permissions(node);
    for (Permission p : kv.awaitAuth(auth.roleGet(role), "read etcd role " + name).getPermissions()) {
      if (wanted.stream().noneMatch(w -> same(w, p))) {
        kv.awaitAuth(auth.roleRevokePermission(role, p.getKey(), p.getRangeEnd()), "narrow etcd role " + name);
      }
    }
    for (Permission p : wanted) {
      kv.awaitAuth(auth.roleGrantPermission(role, p.getKey(), p.getRangeEnd(), p.getPermType()), "grant etcd role " + name);
    }
  }

  @Override
  public void revoke(String node) {
    String name = user(node);
    ignoring("user name not found", () -> kv.awaitAuth(auth.userDelete(bytes(name)), "delete etcd user " + name));
    ignoring("role name not found", () -> kv.awaitAuth(auth.roleDelete(bytes(name)), "delete etcd role " + name));
  }

  /** Runs {@code call}; false if it failed only because of {@code expected} (already done). */
  private static boolean ignoring(String expected, Runnable call) {
    try {
      call.run();
      return true;
    } catch (RuntimeException e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (String.valueOf(c.getMessage()).contains(expected)) {
          return false;
        }
      }
      throw e;
    }
  }

  private static boolean same(Permission a, Permission b) {
    return a.getPermType() == b.getPermType() && a.getKey().equals(b.getKey()) && a.getRangeEnd().equals(b.getRangeEnd());
  }

  private static Permission prefix(Permission.Type type, String prefix) {
    return new Permission(type, bytes(prefix), bytes(KeyLayout.rangeEnd(prefix)));
  }

  private static Permission key(Permission.Type type, String key) {
    return new Permission(type, bytes(key), ByteSequence.EMPTY);
  }

  private static String password() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
