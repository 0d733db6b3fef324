package io.adit.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.adit.common.validation.HostPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The operations endpoints of a daemon ({@code --metrics-listen}), over plain HTTP without
 * authentication, as Prometheus and health checkers expect:
 * <ul>
 *   <li>{@code GET /metrics}: what the metrics library writes (Prometheus text);
 *   <li>{@code GET /healthz}: 200 while the process runs;
 *   <li>{@code GET /readyz}: 200 when ready to serve, else 503 with one line saying why.
 * </ul>
 * Anything else is 404; methods other than GET and HEAD are 405.
 *
 * <p>The JDK's built-in server on one thread of its own, with a short bounded queue (beyond it
 * a request is refused): scrapes are small and a few per minute. The metrics library and the
 * logging stay with the caller: aditctl shares this module and needs neither.
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final int QUEUE = 16;

  static {
    // Read once when the JDK's server classes load: set them before the first server is made.
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "10");
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "10");
    System.getProperties().putIfAbsent("jdk.httpserver.maxConnections", "100");
  }

  /** Writes the current metrics, in the format named by {@link #contentType()}. */
  public interface Exposition {
    String contentType();

    void write(OutputStream out) throws IOException;
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MetricsHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Listens on {@code listen} (port 0: any free port).
   *
   * @param flag the flag that gave the address, for the error message
   * @param notReady why the process is not ready to serve, or empty when it is; called on each
   *     {@code /readyz}, so it must answer quickly (cache anything slow, with a deadline)
   * @throws IOException with one sentence naming the address and why it cannot be bound
   */
  public static MetricsHttpServer start(HostPort listen, String flag, Exposition metrics,
      Supplier<Optional<String>> notReady) throws IOException {
    InetSocketAddress address = listen.hasHost() ? new InetSocketAddress(listen.host(), listen.port())
        : new InetSocketAddress(listen.port());
    HttpServer server;
    try {
      server = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new IOException("cannot serve metrics on " + listen + ": " + bindReason(e) + "; choose another address with "
          + flag, e);
    }
    ExecutorService executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE), r -> {
      Thread t = new Thread(r, "metrics-http");
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(exchange, metrics, notReady));
    server.start();
    return new MetricsHttpServer(server, executor);
  }

  private static void handle(HttpExchange exchange, Exposition metrics, Supplier<Optional<String>> notReady)
      throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (!path.equals("/metrics") && !path.equals("/healthz") && !path.equals("/readyz")) {
        text(exchange, 404, "not found: this server answers /metrics, /healthz and /readyz");
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        text(exchange, 405, "method " + method + " is not allowed: use GET");
        return;
      }
      switch (path) {
        case "/healthz" -> text(exchange, 200, "ok");
        case "/readyz" -> {
          Optional<String> why;
          try {
            why = notReady.get();
          } catch (RuntimeException e) {
            why = Optional.of("the readiness check failed: " + e.getMessage());
          }
          text(exchange, why.isEmpty() ? 200 : 503, why.orElse("ready"));
        }
        default -> {
          ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
          try {
            metrics.write(body);
          } catch (RuntimeException e) {
            text(exchange, 500, "writing the metrics failed: " + e);
            return;
          }
          exchange.getResponseHeaders().set("Content-Type", metrics.contentType());
          send(exchange, 200, body.toByteArray());
        }
      }
    }
  }

  private static void text(HttpExchange exchange, int status, String message) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(exchange, status, (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  static String bindReason(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("address already in use")) {
        return "the address is already in use";
      }
      if (m.contains("permission denied")) {
        return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
      }
      if (m.contains("cannot assign requested address")) {
        return "this host has no such address";
      }
    }
    return String.valueOf(e.getMessage());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops listening and cuts requests in progress (a scrape is retried), then the thread. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
