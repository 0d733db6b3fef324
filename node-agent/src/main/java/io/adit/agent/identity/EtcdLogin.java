package io.adit.agent.identity;

import io.adit.common.files.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * This node's own etcd user and password ({@code DATA_DIR/etcd-credential}, mode 0600), which
 * the controller gives a node when etcd has authentication enabled: it may read the specs,
 * identities, revocations and node records, and write only its own presence, heartbeat and status.
 */
public record EtcdLogin(String user, String password) {
  public static final String FILE = "etcd-credential";

  public EtcdLogin {
    if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
      throw new IllegalArgumentException("an etcd login needs a user and a password");
    }
  }

  /** The stored login; empty when there is none (etcd without authentication, or not fetched yet). */
  public static Optional<EtcdLogin> read(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(file)));
    String user = p.getProperty("user", "");
    String password = p.getProperty("password", "");
    if (user.isEmpty() || password.isEmpty()) {
      throw new NodeIdentity.JoinException(file + " is damaged (it needs user and password): remove it and restart the agent,"
          + " which then asks the controller for a new one");
    }
    return Optional.of(new EtcdLogin(user, password));
  }

  /** Stores it atomically, mode 0600. */
  public void write(Path dataDir) throws IOException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    StringWriter text = new StringWriter();
    p.store(text, "this node's etcd user; keep it private");
    AtomicFiles.writePrivate(dataDir.resolve(FILE), text.toString());
  }

  /** Forgets the stored login, so that the next start asks the controller for a new one. */
  static void forget(Path dataDir) throws IOException {
    Files.deleteIfExists(dataDir.resolve(FILE));
  }

  /**
   * etcd's refusal of this agent in one sentence saying what to do; empty when {@code etcdError}
   * is not about logging in or permissions.
   */
  public static Optional<String> explain(String etcdError, Optional<EtcdLogin> login, Path dataDir) {
    String m = String.valueOf(etcdError);
    String file = dataDir.resolve(FILE).toString();
    if (m.contains("user name is empty")) {
      return Optional.of("etcd has authentication enabled and this agent has no etcd user: the controller gives each node"
          + " one when it is started with --etcd-user (an etcd user with the root role); then restart the agent");
    }
    if (m.contains("authentication is not enabled")) {
      return Optional.of("etcd has authentication disabled, yet this agent logs in as " + login.map(EtcdLogin::user).orElse("?")
          + ": remove " + file + " and restart the agent");
    }
    if (m.contains("authentication failed")) {
      return Optional.of("etcd refused this node's etcd user " + login.map(EtcdLogin::user).orElse("")
          + " (wrong password, or the node was deleted): remove " + file
          + " and restart the agent to get a new one from the controller");
    }
    if (m.contains("permission denied")) {
      return Optional.of("etcd denied this node's etcd user " + login.map(EtcdLogin::user).orElse("(none)")
          + " a read it needs: remove " + file + " and restart the agent, so that the controller renews its permissions");
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "EtcdLogin[user=" + user + "]";
  }
}
