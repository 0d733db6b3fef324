package io.adit.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools operators use — ncat, socat, openssl — run as they run them, with a
 * bounded wait. A missing tool fails the test with the package that provides it: never skipped.
 */
public final class Tools {
  private Tools() {}

  /** What a finished command printed, and its exit code. */
  public record Result(int exitCode, String out, String err) {}

  /** Runs {@code command} with {@code stdin} and waits at most {@code timeout} for it. */
  public static Result run(List<String> command, String stdin, Duration timeout) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("adit-tool");
      Path in = dir.resolve("in");
      Path out = dir.resolve("out");
      Path err = dir.resolve("err");
      Files.writeString(in, stdin == null ? "" : stdin);
      Process p;
      try {
        p = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
            .redirectError(err.toFile()).start();
      } catch (IOException e) {
        throw new AssertionError(missing(command.get(0)), e);
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return new Result(-1, Files.readString(out), Files.readString(err) + "\n(killed after " + timeout.toMillis() + " ms)");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command, e);
    } finally {
      TempDirs.deleteRecursively(dir);
    }
  }

  /**
   * Starts a long-running tool (a backend such as {@code socat PIPE TCP-LISTEN:7000,fork});
   * closing the handle kills it.
   */
  public static Background start(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      Thread reaper = new Thread(p::destroyForcibly, "tool-reaper");
      Runtime.getRuntime().addShutdownHook(reaper);
      return new Background(p, reaper);
    } catch (IOException e) {
      throw new AssertionError(missing(command.get(0)), e);
    }
  }

  /** A running tool. */
  public static final class Background implements AutoCloseable {
    private final Process process;
    private final Thread reaper;

    Background(Process process, Thread reaper) {
      this.process = process;
      this.reaper = reaper;
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // shutting down already
      }
    }
  }

  /** A TCP port free on loopback right now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError("no free port: " + e.getMessage(), e);
    }
  }

  /** Whether something accepts connections on 127.0.0.1:port. */
  public static boolean listening(int port) {
    try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String missing(String tool) {
    String pkg = switch (tool) {
      case "ncat" -> "ncat";
      case "socat" -> "socat";
      case "openssl" -> "openssl";
      case "stunnel4", "stunnel" -> "stunnel4";
      case "systemd-analyze" -> "systemd";
      case "etcd" -> "etcd-server";
      case "unshare", "setpriv" -> "util-linux";
      default -> tool;
    };
    return "cannot run " + tool + ": install it with `apt-get install -y " + pkg + "`";
  }
}
