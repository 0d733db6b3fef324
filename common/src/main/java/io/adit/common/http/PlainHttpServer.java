package io.adit.common.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.adit.common.validation.HostPort;
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

/**
 * The JDK's built-in HTTP server as the daemons use it for small, unauthenticated endpoints (the
 * CRL, /metrics): threads of its own with a bounded queue (beyond it a request is refused at
 * once instead of piling up), and {@code sun.net.httpserver.maxReqTime/maxRspTime} (set here
 * unless given) closing a connection that takes longer than 10 s to send its request or read
 * the answer; {@code jdk.httpserver.maxConnections} caps open connections at 100.
 */
public final class PlainHttpServer implements AutoCloseable {
  static {
    // Read once when the JDK's server classes load: set them before the first server is made.
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "10");
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "10");
    System.getProperties().putIfAbsent("jdk.httpserver.maxConnections", "100");
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PlainHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Listens on {@code listen} (port 0: any free port) and hands every request to {@code handler}.
   *
   * @throws IOException when the address cannot be bound (the caller says which flag gave it)
   */
  public static PlainHttpServer start(HostPort listen, String threadName, int threads, int queue, HttpHandler handler)
      throws IOException {
    InetSocketAddress address = listen.hasHost() ? new InetSocketAddress(listen.host(), listen.port())
        : new InetSocketAddress(listen.port());
    HttpServer server = HttpServer.create(address, queue);
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(queue), r -> {
          Thread t = new Thread(r, threads == 1 ? threadName : threadName + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    server.setExecutor(executor);
    server.createContext("/", handler);
    server.start();
    return new PlainHttpServer(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** A one-line plain-text answer. */
  public static void text(HttpExchange exchange, int status, String message) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(exchange, status, (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Sends {@code body}, or for HEAD only its headers. */
  public static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    // For HEAD, -1 means "no body": the Content-Length header is then left out.
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Stops listening and cuts requests in progress (their clients retry), then the threads. */
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
