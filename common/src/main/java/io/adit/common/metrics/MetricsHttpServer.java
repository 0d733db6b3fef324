package io.adit.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.adit.common.http.PlainHttpServer;
import io.adit.common.validation.HostPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Optional;
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
 * <p>A {@link PlainHttpServer} on one thread of its own, with a short bounded queue (beyond it a
 * request is refused): scrapes are small and a few per minute. The metrics library and the
 * logging stay with the caller: aditctl shares this module and needs neither.
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final int QUEUE = 16;

  /** Writes the current metrics, in the format named by {@link #contentType()}. */
  public interface Exposition {
    String contentType();

    void write(OutputStream out) throws IOException;
  }

  private final PlainHttpServer server;

  private MetricsHttpServer(PlainHttpServer server) {
    this.server = server;
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
    try {
      return new MetricsHttpServer(PlainHttpServer.start(listen, "metrics-http", 1, QUEUE,
          exchange -> handle(exchange, metrics, notReady)));
    } catch (IOException e) {
      throw new IOException("cannot serve metrics on " + listen + ": " + bindReason(e) + "; choose another address with "
          + flag, e);
    }
  }

  private static void handle(HttpExchange exchange, Exposition metrics, Supplier<Optional<String>> notReady)
      throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (!path.equals("/metrics") && !path.equals("/healthz") && !path.equals("/readyz")) {
        PlainHttpServer.text(exchange, 404, "not found: this server answers /metrics, /healthz and /readyz");
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        PlainHttpServer.text(exchange, 405, "method " + method + " is not allowed: use GET");
        return;
      }
      switch (path) {
        case "/healthz" -> PlainHttpServer.text(exchange, 200, "ok");
        case "/readyz" -> {
          Optional<String> why;
          try {
            why = notReady.get();
          } catch (RuntimeException e) {
            why = Optional.of("the readiness check failed: " + e.getMessage());
          }
          PlainHttpServer.text(exchange, why.isEmpty() ? 200 : 503, why.orElse("ready"));
        }
        default -> {
          ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
          try {
            metrics.write(body);
          } catch (RuntimeException e) {
            PlainHttpServer.text(exchange, 500, "writing the metrics failed: " + e);
            return;
          }
          exchange.getResponseHeaders().set("Content-Type", metrics.contentType());
          PlainHttpServer.send(exchange, 200, body.toByteArray());
        }
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
    return server.port();
  }

  /** Stops listening and cuts requests in progress (a scrape is retried), then the thread. */
  @Override
  public void close() {
    server.close();
  }
}
