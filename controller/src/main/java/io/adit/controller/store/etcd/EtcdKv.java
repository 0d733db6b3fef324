package io.adit.controller.store.etcd;

import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.errors.UnavailableException;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Txn;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Kv} on etcd through jetcd. jetcd waits for a ready connection by default, so a dead
 * etcd would hang a call forever: every call here is bounded by {@code timeout}. jetcd
 * reconnects by itself, so the controller recovers when etcd returns.
 */
public final class EtcdKv implements Kv, AutoCloseable {
  /** Told of every request when it ends (the metrics); must be quick and thread-safe. */
  @FunctionalInterface
  public interface Observer {
    Observer NONE = (operation, nanos, failed) -> { };

    /**
     * @param operation get, list, txn, or auth (etcd users and roles)
     * @param failed it failed or did not answer within the deadline
     */
    void request(String operation, long nanos, boolean failed);
  }

  private final Client client;
  private final List<String> endpoints;
  private final Duration timeout;
  private final Observer observer;

  public EtcdKv(Client client, List<String> endpoints, Duration timeout) {
    this(client, endpoints, timeout, Observer.NONE);
  }

  public EtcdKv(Client client, List<String> endpoints, Duration timeout, Observer observer) {
    this.client = client;
    this.endpoints = List.copyOf(endpoints);
    this.timeout = timeout;
    this.observer = observer;
  }

  /** A client for plain-HTTP (or TLS, with {@code tls}) etcd endpoints. */
  public static EtcdKv connect(List<String> endpoints, Duration timeout, EtcdTls tls) {
    return connect(endpoints, timeout, tls, null, Observer.NONE);
  }

  /**
   * As {@link #connect(List, Duration, EtcdTls)}, logging in as {@code auth}'s user when it is
   * given, and telling {@code observer} of every request.
   */
  public static EtcdKv connect(List<String> endpoints, Duration timeout, EtcdTls tls, EtcdAuth auth, Observer observer) {
    var builder = Client.builder()
        .endpoints(endpoints.stream().map(URI::create).toArray(URI[]::new))
        .connectTimeout(timeout)
        .keepaliveTime(Duration.ofSeconds(10))
        .keepaliveTimeout(Duration.ofSeconds(5))
        // etcd answers pings on a connection with no call in flight with GOAWAY "too_many_pings":
        // an idle controller would be cut off every few minutes.
        .keepaliveWithoutCalls(false)
        .retryMaxDuration(timeout);
    if (tls != null) {
      tls.apply(builder);
    }
    if (auth != null) {
      auth.apply(builder);
    }
    return new EtcdKv(builder.build(), endpoints, timeout, observer);
  }

  public Client client() {
    return client;
  }

  @Override
  public String describe() {
    return String.join(",", endpoints);
  }

  @Override
  public Optional<Entry> get(String key) {
    GetResponse r = await(client.getKVClient().get(bytes(key)), "get");
    return r.getKvs().stream().findFirst().map(EtcdKv::entry);
  }

  @Override
  public Listing list(String prefix) {
    GetOption opt = GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.KEY)
        .withSortOrder(GetOption.SortOrder.ASCEND).build();
    GetResponse r = await(client.getKVClient().get(bytes(prefix), opt), "list");
    List<Entry> out = new ArrayList<>(r.getKvs().size());
    r.getKvs().forEach(kv -> out.add(entry(kv)));
    return new Listing(out, r.getHeader().getRevision());
  }

  @Override
  public boolean commit(Txn txn) {
    var t = client.getKVClient().txn();
    Cmp[] cmps = txn.conditions().stream()
        .map(c -> c.expectedModRevision() == 0
            ? new Cmp(bytes(c.key()), Cmp.Op.EQUAL, CmpTarget.createRevision(0))
            : new Cmp(bytes(c.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(c.expectedModRevision())))
        .toArray(Cmp[]::new);
    Op[] ops = txn.writes().stream()
        .map(w -> w.value() != null
            ? Op.put(bytes(w.key()), ByteSequence.from(w.value()), PutOption.DEFAULT)
            : Op.delete(bytes(w.key()), w.prefix() ? DeleteOption.builder().isPrefix(true).build() : DeleteOption.DEFAULT))
        .toArray(Op[]::new);
    TxnResponse r = await(t.If(cmps).Then(ops).commit(), "txn");
    return r.isSucceeded();
  }

  /**
   * Whether etcd answers a one-key read within {@code deadline}: the reason it does not, or
   * empty. For readiness checks; never throws.
   */
  public Optional<String> probe(Duration deadline) {
    var future = client.getKVClient().get(bytes(io.adit.common.store.KeyLayout.CA_META),
        GetOption.builder().withCountOnly(true).build());
    try {
      future.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      return Optional.empty();
    } catch (TimeoutException e) {
      future.cancel(true);
      return Optional.of("etcd at " + describe() + " did not answer within " + deadline.toMillis() + " ms");
    } catch (ExecutionException e) {
      return Optional.of("etcd at " + describe() + " failed (" + rootMessage(e.getCause() != null ? e.getCause() : e) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while asking etcd");
    }
  }

  /** Waits for {@code future} within the deadline; {@code operation} names it for the observer. */
  private <T> T await(CompletableFuture<T> future, String operation) {
    return await(future, operation, operation);
  }

  /** As {@link #await(CompletableFuture, String)} for etcd's auth API; {@code what} names the call in errors. */
  <T> T awaitAuth(CompletableFuture<T> future, String what) {
    return await(future, "auth", what);
  }

  private <T> T await(CompletableFuture<T> future, String operation, String what) {
    long start = System.nanoTime();
    boolean failed = true;
    try {
      T result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      failed = false;
      return result;
    } catch (TimeoutException e) {
      future.cancel(true);
      throw unavailable("did not answer within " + timeout.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      EtcdAccess.explain(rootMessage(cause), describe()).ifPresent(m -> {
        throw new FailedPreconditionException(m + " (while trying to " + what + ")", cause);
      });
      throw unavailable("failed (" + rootMessage(cause) + ")", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("was interrupted", e);
    } finally {
      observer.request(operation, System.nanoTime() - start, failed);
    }
  }

  private UnavailableException unavailable(String what, Throwable cause) {
    return new UnavailableException("etcd at " + describe() + " " + what
        + ": check that etcd is running and reachable from the controller", cause);
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage();
    return m == null ? c.getClass().getSimpleName() : m;
  }

  private static Entry entry(KeyValue kv) {
    return new Entry(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().getBytes(),
        kv.getCreateRevision(), kv.getModRevision());
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.close();
  }
}
