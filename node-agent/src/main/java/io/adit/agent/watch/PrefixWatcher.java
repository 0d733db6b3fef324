package io.adit.agent.watch;

import io.adit.common.store.KeyLayout;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Keeps a copy of every record under an etcd prefix, by the key's last segment: list, then
 * watch from the list's revision + 1;
 * when etcd has compacted that history, or the watch fails, list again; and list again
 * periodically anyway, as a safety net for anything a watch could miss.
 *
 * <p>All work runs on the given single-threaded executor, which is also the agent's reconcile
 * thread, so the listener never races with itself. The listener gets the whole map after each
 * change; it must not block for long.
 */
public final class PrefixWatcher<T> implements AutoCloseable {
  private final Logger log;
  private final ByteSequence prefix;
  private final String what;
  private final Function<KeyValue, Optional<T>> parse;
  private final Client etcd;
  private final ScheduledExecutorService loop;
  private final Duration timeout;
  private final Consumer<Map<String, T>> listener;
  private final Map<String, T> records = new HashMap<>();
  private Watch.Watcher watcher;
  private long generation;
  private int failures;
  private long appliedRevision;
  private boolean closed;
  private long seenNanos;

  /**
   * @param what the records, in plain words for the log ("services")
   * @param parse a record from its key-value, or empty to ignore it (corrupt: log why)
   * @param log the logger of the component that watches
   */
  public PrefixWatcher(Client etcd, String prefix, String what, Function<KeyValue, Optional<T>> parse,
      ScheduledExecutorService loop, Duration timeout, Consumer<Map<String, T>> listener, Logger log) {
    this.log = log;
    this.prefix = ByteSequence.from(prefix, StandardCharsets.UTF_8);
    this.what = what;
    this.parse = parse;
    this.etcd = etcd;
    this.loop = loop;
    this.timeout = timeout;
    this.listener = listener;
  }

  /** Starts listing and watching; resyncs every {@code resync}. */
  public void start(Duration resync) {
    loop.execute(this::relist);
    loop.scheduleWithFixedDelay(this::resync, resync.toMillis(), resync.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void resync() {
    if (closed) {
      return;
    }
    fetch().whenComplete((r, error) -> arrived(seen -> {
      if (closed) {
        return;
      }
      if (error != null) {
        log.warn("periodic resync of {} with etcd failed ({}); keeping the last known ones", what, message(error));
      } else if (r.getHeader().getRevision() >= appliedRevision) {
        // Never roll back to a read older than events already applied.
        apply(r, seen);
      }
    }));
  }

  /** List, publish, and watch from the list's revision; on failure retry with backoff. */
  private void relist() {
    if (closed) {
      return;
    }
    cancelWatch();
    long gen = generation;
    // Asynchronous: the reconcile thread keeps serving (and planning) while etcd is away.
    fetch().whenComplete((r, error) -> arrived(seen -> {
      if (closed || gen != generation) {
        return;
      }
      if (error != null) {
        failures++;
        long delay = Math.min(1000L << Math.min(failures - 1, 5), 30_000L);
        log.warn("cannot read {} from etcd ({}); keeping the last known ones, retrying in {} ms",
            what, message(error), delay);
        loop.schedule(this::relist, delay, TimeUnit.MILLISECONDS);
        return;
      }
      failures = 0;
      apply(r, seen);
      watch(r.getHeader().getRevision() + 1);
    }));
  }

  private java.util.concurrent.CompletableFuture<GetResponse> fetch() {
    return etcd.getKVClient().get(prefix, GetOption.builder().isPrefix(true).build())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs {@code then} on the loop with the time (System.nanoTime()) etcd's answer arrived. */
  private void arrived(java.util.function.LongConsumer then) {
    long seen = System.nanoTime();
    loop.execute(() -> then.accept(seen));
  }

  /**
   * When the records last given to the listener arrived from etcd ({@link System#nanoTime()}):
   * read in the listener, it tells how long the change waited before being applied.
   */
  public long seenNanos() {
    return seenNanos;
  }

  private void apply(GetResponse r, long seen) {
    records.clear();
    for (KeyValue kv : r.getKvs()) {
      put(kv);
    }
    appliedRevision = r.getHeader().getRevision();
    seenNanos = seen;
    listener.accept(Map.copyOf(records));
  }

  private static String message(Throwable t) {
    Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    return c instanceof java.util.concurrent.TimeoutException ? "etcd did not answer in time" : String.valueOf(c.getMessage());
  }

  private void watch(long fromRevision) {
    long gen = ++generation;
    WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
    watcher = etcd.getWatchClient().watch(prefix, option, Watch.listener(
        response -> arrived(seen -> onEvents(gen, response, seen)),
        error -> loop.execute(() -> onError(gen, error)),
        // A watch that ends without an error would otherwise leave only the periodic resync.
        () -> loop.execute(() -> onError(gen, new IllegalStateException("etcd ended the watch")))));
  }

  private void onEvents(long gen, WatchResponse response, long seen) {
    if (gen != generation || closed) {
      return;
    }
    for (WatchEvent event : response.getEvents()) {
      if (event.getEventType() == WatchEvent.EventType.DELETE) {
        records.remove(KeyLayout.lastSegment(event.getKeyValue().getKey().toString(StandardCharsets.UTF_8)));
      } else if (event.getEventType() == WatchEvent.EventType.PUT) {
        put(event.getKeyValue());
      }
    }
    appliedRevision = Math.max(appliedRevision, response.getHeader().getRevision());
    seenNanos = seen;
    listener.accept(Map.copyOf(records));
  }

  private void onError(long gen, Throwable error) {
    if (gen != generation || closed) {
      return;
    }
    if (error instanceof CompactedException c) {
      log.info("etcd compacted the watched history of {} (revision {}): listing again", what, c.getCompactedRevision());
    } else {
      log.warn("the watch on {} in etcd failed ({}): listing again", what, error.getMessage());
    }
    relist();
  }

  private void put(KeyValue kv) {
    parse.apply(kv).ifPresent(r -> records.put(KeyLayout.lastSegment(kv.getKey().toString(StandardCharsets.UTF_8)), r));
  }

  private void cancelWatch() {
    generation++;
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
  }

  @Override
  public void close() {
    loop.execute(() -> {
      closed = true;
      cancelWatch();
    });
  }
}
