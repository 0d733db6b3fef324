package io.adit.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One etcd member as a child process: random loopback ports, a temporary data dir, readiness
 * by polling {@code /health}. Stopping it keeps the data dir, so a restart brings back the same
 * cluster on the same ports; closing it deletes everything.
 */
public final class EtcdServer implements Etcd {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private final Path dataDir;
  private final int clientPort;
  private final int peerPort;
  private final List<String> extraArgs;
  private final String scheme;
  private Process process;
  private Thread shutdownHook;

  private EtcdServer(Path dataDir, int clientPort, int peerPort, String scheme, List<String> extraArgs) {
    this.dataDir = dataDir;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.scheme = scheme;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /** Starts a plain-HTTP etcd. */
  public static EtcdServer start() throws Exception {
    return start("http", List.of());
  }

  /**
   * Starts etcd with extra flags (for example TLS: scheme "https" with --cert-file, --key-file,
   * --client-cert-auth, --trusted-ca-file).
   */
  public static EtcdServer start(String scheme, List<String> extraArgs) throws Exception {
    if (!EtcdBinary.onPath()) {
      throw new IllegalStateException(
          "etcd is not installed: integration tests need a real etcd. Install Debian's package with "
              + "`sudo apt-get install -y etcd-server` (it puts etcd on PATH), or run a Docker engine.");
    }
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      EtcdServer s = new EtcdServer(Files.createTempDirectory("adit-etcd-"), freePort(), freePort(), scheme, extraArgs);
      try {
        s.launch();
        return s;
      } catch (IllegalStateException e) {
        // A port picked as free may have been taken meanwhile; try fresh ones.
        last = e;
        s.close();
      }
    }
    throw last;
  }

  @Override
  public List<String> endpoints() {
    return List.of(clientUrl());
  }

  public String clientUrl() {
    return scheme + "://127.0.0.1:" + clientPort;
  }

  public int clientPort() {
    return clientPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  private synchronized void launch() throws IOException, InterruptedException {
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> cmd = new ArrayList<>(List.of(
        "etcd",
        "--name", "adit-test",
        "--data-dir", dataDir.resolve("member-data").toString(),
        "--listen-client-urls", clientUrl(),
        "--advertise-client-urls", clientUrl(),
        "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "adit-test=" + peer,
        "--initial-cluster-state", "new",
        "--logger", "zap",
        "--log-outputs", dataDir.resolve("etcd.log").toString()));
    cmd.addAll(extraArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("etcd.out").toFile()));
    pb.environment().remove("ETCD_UNSUPPORTED_ARCH");
    process = pb.start();
    Process p = process;
    shutdownHook = new Thread(p::destroyForcibly, "etcd-test-reaper");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    awaitHealthy();
  }

  private void awaitHealthy() throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with code " + process.exitValue() + ": " + tail());
      }
      if (healthy()) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new IllegalStateException("etcd did not become healthy within " + READY_TIMEOUT.toSeconds() + " s: " + tail());
  }

  private boolean healthy() {
    if (!"http".equals(scheme)) {
      // Over TLS with client auth the health endpoint needs a client certificate: a listening
      // port is the best plain-JDK signal; clients retry until the server answers.
      // The whole log, not its tail: each probe makes etcd log a failed handshake, which would
      // push the line we look for out of a tail.
      try (var socket = new java.net.Socket("127.0.0.1", clientPort)) {
        String log = Files.readString(dataDir.resolve("etcd.log"));
        return log.contains("serving client traffic securely") || log.contains("ready to serve client requests");
      } catch (IOException e) {
        return false;
      }
    }
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(clientUrl() + "/health").toURL().openConnection();
      c.setConnectTimeout(200);
      c.setReadTimeout(500);
      try {
        return c.getResponseCode() == 200 && new String(c.getInputStream().readAllBytes()).contains("true");
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  private String tail() {
    for (String name : new String[] {"etcd.log", "etcd.out"}) {
      try {
        Path f = dataDir.resolve(name);
        if (Files.exists(f)) {
          String s = Files.readString(f);
          if (!s.isBlank()) {
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
          }
        }
      } catch (IOException e) {
        // best effort diagnostics only
      }
    }
    return "(no output)";
  }

  /** Kills etcd; the data dir stays. */
  @Override
  public synchronized void stop() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
      process = null;
    }
  }

  /** Starts etcd again on the same ports and data dir. */
  @Override
  public synchronized void restart() throws IOException, InterruptedException {
    stop();
    launch();
  }

  @Override
  public void close() {
    stop();
    TempDirs.deleteRecursively(dataDir);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
