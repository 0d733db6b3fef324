package io.adit.controller.store;

import java.util.ArrayList;
import java.util.List;

/**
 * A compare-and-swap transaction: conditions on key revisions, then writes. Built fluently:
 * {@code Txn.create().ifAbsent(k).put(k, v)}.
 */
public final class Txn {

  /** A condition: the key is absent (expectedModRevision 0) or at exactly that revision. */
  public record Condition(String key, long expectedModRevision) {}

  /** A write: put a value, or delete a key (value null), or delete every key under a prefix. */
  public record Write(String key, byte[] value, boolean prefix) {}

  private final List<Condition> conditions = new ArrayList<>();
  private final List<Write> writes = new ArrayList<>();

  public static Txn create() {
    return new Txn();
  }

  public Txn ifAbsent(String key) {
    conditions.add(new Condition(key, 0));
    return this;
  }

  public Txn ifModRevision(String key, long modRevision) {
    conditions.add(new Condition(key, modRevision));
    return this;
  }

  public Txn put(String key, byte[] value) {
    writes.add(new Write(key, value, false));
    return this;
  }

  public Txn delete(String key) {
    writes.add(new Write(key, null, false));
    return this;
  }

  public Txn deletePrefix(String prefix) {
    writes.add(new Write(prefix, null, true));
    return this;
  }

  public List<Condition> conditions() {
    return List.copyOf(conditions);
  }

  public List<Write> writes() {
    return List.copyOf(writes);
  }
}
