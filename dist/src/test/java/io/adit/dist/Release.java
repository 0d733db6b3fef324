package io.adit.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The release archive this build made (target/adit-VERSION.tar.gz), unpacked for a test. */
final class Release {
  static final String VERSION = System.getProperty("adit.version", "");
  static final Path ARCHIVE = Path.of(System.getProperty("adit.archive", "target/adit-" + VERSION + ".tar.gz"));

  private Release() {}

  /** Unpacks the archive into {@code dir}; returns its top directory, adit-VERSION. */
  static Path unpack(Path dir) throws Exception {
    assertThat(ARCHIVE).as("the release archive (mvn package makes it)").isRegularFile();
    Files.createDirectories(dir);
    Tools.Result r = Tools.run(List.of("tar", "-xzf", ARCHIVE.toString(), "-C", dir.toString()), "", Duration.ofSeconds(60));
    assertThat(r.exitCode()).as("tar: %s", r.err()).isZero();
    Path top = dir.resolve("adit-" + VERSION);
    assertThat(top).isDirectory();
    return top;
  }

  /** Runs a command with a bounded wait and says what it printed if it fails. */
  static Tools.Result run(List<String> command, Duration timeout) {
    return Tools.run(command, "", timeout);
  }
}
