package io.adit.controller.server;

import static io.adit.common.http.PlainHttpServer.send;
import static io.adit.common.http.PlainHttpServer.text;

import com.sun.net.httpserver.HttpExchange;
import io.adit.common.http.PlainHttpServer;
import io.adit.common.validation.HostPort;
import io.adit.controller.crl.SignedCrl;
import io.adit.controller.errors.ConflictException;
import io.adit.controller.errors.FailedPreconditionException;
import io.adit.controller.errors.UnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the CRL over plain HTTP without authentication ({@code --http-listen}), as CRL
 * distribution points are fetched: {@code GET /crl} gives DER ({@code application/pkix-crl},
 * RFC 5280 4.2.1.13), {@code GET /crl.pem} gives PEM. Anything else is 404; other methods than
 * GET and HEAD are 405. The CRL is signed, so TLS would add nothing a verifier needs.
 *
 * <p>A {@link PlainHttpServer} on two threads of its own: requests are small and rare.
 */
public final class CrlHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CrlHttpServer.class);
  static final String PEM_PATH = "/crl.pem";
  static final String DER_PATH = "/crl";
  private static final int THREADS = 2;
  private static final int QUEUE = 64;

  private final PlainHttpServer server;

  private CrlHttpServer(PlainHttpServer server) {
    this.server = server;
  }

  /**
   * Listens on {@code listen} and serves what {@code crl} returns at the time of each request.
   *
   * @throws IOException with one sentence naming the address and why it cannot be bound
   */
  public static CrlHttpServer start(HostPort listen, Supplier<SignedCrl> crl) throws IOException {
    PlainHttpServer server;
    try {
      server = PlainHttpServer.start(listen, "crl-http", THREADS, QUEUE, exchange -> handle(exchange, crl));
    } catch (IOException e) {
      throw new IOException("cannot serve the CRL on " + listen + ": " + ApiServer.bindReason(e)
          + "; choose another address with --http-listen", e);
    }
    log.info("serving the CRL over HTTP on {} ({} and {})", new HostPort(listen.host(), server.port()),
        DER_PATH, PEM_PATH);
    return new CrlHttpServer(server);
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

  public int port() {
    return server.port();
  }

  /** Stops listening and cuts requests in progress (a CRL fetch is retried by its client), then the threads. */
  @Override
  public void close() {
    server.close();
  }
}
