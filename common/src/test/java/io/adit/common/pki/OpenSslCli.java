package io.adit.common.pki;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code openssl} command in a directory, with a bounded wait. */
final class OpenSslCli {
  private static final long TIMEOUT_SECONDS = 60;

  private OpenSslCli() {}

  /** Runs openssl and returns its combined output; fails the test unless it exits with 0. */
  static String run(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Path output = Files.createTempFile(dir, "openssl", ".out");
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
    } catch (IOException e) {
      return fail("cannot run openssl (" + e.getMessage() + "): install openssl (apt-get install -y openssl)");
    }
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        return fail("openssl " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
      String text = Files.readString(output);
      if (p.exitValue() != 0) {
        return fail("openssl " + String.join(" ", args) + " exited with " + p.exitValue() + ":\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
