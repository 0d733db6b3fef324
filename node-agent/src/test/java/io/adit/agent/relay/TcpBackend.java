package io.adit.agent.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A plaintext backend on a random loopback port: a thread per connection running {@code handler}. */
final class TcpBackend implements AutoCloseable {
  interface Handler {
    void serve(Socket socket) throws IOException;
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-backend");
    t.setDaemon(true);
    return t;
  });
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  final AtomicInteger accepted = new AtomicInteger();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();

  private TcpBackend(Handler handler) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          s.setSoTimeout(30_000); // no test thread waits forever
          sockets.add(s);
          accepted.incrementAndGet();
          threads.execute(() -> {
            try (s) {
              handler.serve(s);
            } catch (IOException e) {
              if (!server.isClosed()) {
                errors.add(e);
              }
            }
          });
        } catch (IOException e) {
          return; // closed
        }
      }
    });
  }

  static TcpBackend start(Handler handler) throws IOException {
    return new TcpBackend(handler);
  }

  /** Echoes until end of input, then ends its output: half-close both ways. */
  static TcpBackend echo() throws IOException {
    return start(s -> {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] buf = new byte[16 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        out.flush();
      }
      s.shutdownOutput();
    });
  }

  /** Reads everything until end of input, then answers "got N bytes" and closes. */
  static TcpBackend replyAfterEof() throws IOException {
    return start(s -> {
      long total = s.getInputStream().transferTo(OutputStream.nullOutputStream());
      s.getOutputStream().write(("got " + total + " bytes").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    });
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (SocketException ignored) {
        // already closed
      }
    }
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
