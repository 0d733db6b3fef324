package io.adit.controller.store;

import java.util.List;
import java.util.Optional;

/**
 * The controller's view of etcd: reads, and writes that are always compare-and-swap
 * transactions. Implementations put a deadline on every call and throw
 * {@link io.adit.controller.errors.UnavailableException} naming the endpoints when the store
 * does not answer in time; they never block indefinitely. Thread-safe.
 */
public interface Kv {

  /** A stored value with the revisions that compare-and-swap checks against. */
  record Entry(String key, byte[] value, long createRevision, long modRevision) {}

  /** The entries under a prefix, sorted by key, and the store revision they were read at. */
  record Listing(List<Entry> entries, long revision) {}

  Optional<Entry> get(String key);

  Listing list(String prefix);

  /**
   * Applies every operation of {@code txn} if and only if all its conditions hold, atomically.
   *
   * @return whether the conditions held (and so the writes happened)
   */
  boolean commit(Txn txn);

  /** The endpoints, for messages. */
  String describe();
}
