package io.adit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code openssl} CLI: what peers such as stunnel will think of our certificates. */
public final class OpenSsl {
  private static final long TIMEOUT_SECONDS = 30;

  private OpenSsl() {}

  /** What openssl printed (stdout and stderr) and its exit code. */
  public record Result(int exitCode, String output) {}

  /** Runs {@code openssl args...} in {@code dir}; stdout and stderr together. */
  public static Result run(Path dir, String... args) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    try {
      // Output goes to a file, not a pipe, so a chatty command cannot block on a full pipe.
      Path out = Files.createTempFile(dir, "openssl", ".out");
      try {
      Process process;
      try {
        process = new ProcessBuilder(command).directory(dir.toFile())
            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      } catch (IOException e) {
        throw new AssertionError("cannot run openssl (" + e.getMessage()
            + "): install openssl (apt-get install -y openssl)", e);
      }
      process.getOutputStream().close();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + "s");
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running openssl", e);
    }
  }

  /** Runs {@code openssl args...} and fails the test unless it exits 0. */
  public static String ok(Path dir, String... args) {
    Result r = run(dir, args);
    if (r.exitCode() != 0) {
      throw new AssertionError("openssl " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.output());
    }
    return r.output();
  }
}
