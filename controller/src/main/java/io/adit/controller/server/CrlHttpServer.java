package io.adit.controller.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.adit.common.validation.HostPort;
import io.adit.controller.crl.SignedCrl;
import io.adit.controller.errors.ConflictException;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.errors.UnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the CRL over plain HTTP without authentication ({@code --http-listen}), as CRL
 * distribution points are fetched: {@code GET /crl} gives DER ({@code application/pkix-crl},
 * RFC 5280 4.2.1.13), {@code GET /crl.pem} gives PEM. Anything else is 404; other methods than
 * GET and HEAD are 405. The CRL is signed, so TLS would add nothing a verifier needs.
 *
 * <p>The JDK's built-in server, on two threads of its own: requests are small and rare, and
 * {@code sun.net.httpserver.maxReqTime/maxRspTime} (set here unless given) close a connection
 * that takes longer than 10 s to send its request or read the answer;
 * {@code jdk.httpserver.maxConnections} caps open connections at 100.
 */
public final class CrlHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CrlHttpServer.class);
  static final String PEM_PATH = "/crl.pem";
  static final String DER_PATH = "/crl";
  private static final int THREADS = 2;
  private static final int QUEUE = 64;

  static {
    // Read once when the JDK's server classes load: set them before the first server is made.
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "10");
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "10");
    System.getProperties().putIfAbsent("jdk.httpserver.maxConnections", "100");
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private CrlHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Listens on {@code listen} and serves what {@code crl} returns at the time of each request.
   *
   * @throws IOException with one sentence naming the address and why it cannot be bound
   */
  public static CrlHttpServer start(HostPort listen, Supplier<SignedCrl> crl) throws IOException {
    InetSocketAddress address = listen.hasHost() ? new InetSocketAddress(listen.host(), listen.port())
        : new InetSocketAddress(listen.port());
    HttpServer server;
    try {
      server = HttpServer.create(address, 50);
    } catch (IOException e) {
      throw new IOException("cannot serve the CRL on " + listen + ": " + ApiServer.bindReason(e)
          + "; choose another address with --http-listen", e);
    }
    AtomicInteger n = new AtomicInteger();
    // Bounded: beyond the queue a request is refused at once instead of piling up.
    ExecutorService executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(QUEUE), r -> {
          Thread t = new Thread(r, "crl-http-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(exchange, crl));
    server.start();
    log.info("serving the CRL over HTTP on {} ({} and {})", new HostPort(listen.host(), server.getAddress().getPort()),
        DER_PATH, PEM_PATH);
    return new CrlHttpServer(server, executor);
  }

  private static void handle(HttpExchange exchange, Supplier<SignedCrl> crl) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals(DER_PATH) && !path.equals(PEM_PATH)) {
        text(exchange, 404, "not found: the CRL is at " + DER_PATH + " (DER) and " + PEM_PATH + " (PEM)");
        return;
      }
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        text(exchange, 405, "method " + method + " is not allowed: use GET");
        return;
      }
      SignedCrl current;
      try {
        current = crl.get();
      } catch (UnavailableException e) {
        log.warn("HTTP {}: {}", path, e.getMessage());
        text(exchange, 503, "the CRL cannot be made now: etcd is unavailable");
        return;
      } catch (FailedPreconditionException | ConflictException e) {
        // The reason names etcd keys: it goes to the log, not to an unauthenticated caller.
        log.warn("HTTP {}: {}", path, e.getMessage());
        text(exchange, 503, "the CRL cannot be made now; the controller's log says why");
        return;
      } catch (RuntimeException e) {
        log.error("HTTP {} failed unexpectedly", path, e);
        text(exchange, 500, "the controller failed unexpectedly; its log has the details");
        return;
      }
      boolean pem = path.equals(PEM_PATH);
      byte[] body = pem ? current.pem().getBytes(StandardCharsets.US_ASCII) : current.der();
      exchange.getResponseHeaders().set("Content-Type", pem ? "application/x-pem-file" : "application/pkix-crl");
      // Revocations take effect at once: caches must ask again rather than serve a stored copy.
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      send(exchange, 200, body);
    }
  }

  private static void text(HttpExchange exchange, int status, String message) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(exchange, status, (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    // For HEAD, -1 means "no body": the Content-Length header is then left out.
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops listening and cuts requests in progress (a CRL fetch is retried by its client), then the threads. */
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
