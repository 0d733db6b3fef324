package io.adit.controller.store;

import java.util.Optional;

/**
 * Each node's own account in the store, so that an agent reads only what it needs and writes
 * only its own records. Both operations are idempotent and may be retried; they throw
 * {@link io.adit.controller.errors.UnavailableException} when the store does not answer in time
 * and {@link io.adit.controller.errors.FailedPreconditionException} when the controller's own
 * account may not manage accounts.
 */
public interface NodeAccess {

  /** A node's store account: a user name and its password. */
  record Credential(String user, String password) {
    @Override
    public String toString() {
      return "Credential[user=" + user + "]"; // never the password in a log line
    }
  }

  /** For a store without authentication: nodes need no account. */
  NodeAccess NONE = new NodeAccess() {
    @Override
    public Optional<Credential> grant(String node) {
      return Optional.empty();
    }

    @Override
    public void revoke(String node) {}
  };

  /**
   * Creates the node's account with its permissions, or gives an existing one a new password
   * (the old one stops working). Empty when the store has no accounts to manage.
   */
  Optional<Credential> grant(String node);

  /**
   * Brings an existing account's permissions up to date, keeping its password (after an upgrade
   * changed what agents read or write); nothing happens if there is none.
   */
  default void refresh(String node) {}

  /** Removes the node's account and its permissions; nothing happens if there is none. */
  void revoke(String node);
}
