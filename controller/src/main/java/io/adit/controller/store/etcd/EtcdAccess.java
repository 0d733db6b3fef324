package io.adit.controller.store.etcd;

import java.util.Optional;

/**
 * etcd's authentication and permission errors in plain words: these are configuration problems
 * that waiting does not cure, unlike an etcd that does not answer.
 */
final class EtcdAccess {
  private EtcdAccess() {}

  /** What to tell the operator for etcd's error {@code message}; empty when it is not about access. */
  static Optional<String> explain(String message, String endpoints) {
    String m = String.valueOf(message);
    if (m.contains("user name is empty")) {
      return Optional.of("etcd at " + endpoints + " has authentication enabled and the controller logs in as nobody:"
          + " give it an etcd user with the root role (--etcd-user NAME --etcd-password-file FILE)");
    }
    if (m.contains("authentication is not enabled")) {
      return Optional.of("etcd at " + endpoints + " has authentication disabled, so --etcd-user cannot log in:"
          + " enable it (etcdctl user add root; etcdctl auth enable) or start the controller without --etcd-user");
    }
    if (m.contains("authentication failed")) {
      return Optional.of("etcd at " + endpoints + " refused the controller's etcd user or password:"
          + " check --etcd-user and the password in --etcd-password-file");
    }
    if (m.contains("permission denied")) {
      return Optional.of("etcd at " + endpoints + " denied the controller's etcd user access: it needs the root role"
          + " (etcdctl user grant-role USER root)");
    }
    return Optional.empty();
  }
}
