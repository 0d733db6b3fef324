package io.adit.common.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesPrivateFilesWithMode0600() throws Exception {
    Path f = dir.resolve("node.key");

    AtomicFiles.writePrivate(f, "secret");

    assertThat(Files.readString(f)).isEqualTo("secret");
    assertThat(mode(f)).isEqualTo("rw-------");
  }

  @Test
  void writesPrivateBytesWithMode0600() throws Exception {
    Path f = dir.resolve("node.der");
    byte[] content = {0, 1, 2, (byte) 0xff};

    AtomicFiles.writePrivate(f, content);

    assertThat(Files.readAllBytes(f)).isEqualTo(content);
    assertThat(mode(f)).isEqualTo("rw-------");
  }

  @Test
  void replacesAnExistingFileAndItsModeWhenWritingPrivately() throws Exception {
    Path f = dir.resolve("node.key");
    Files.writeString(f, "an old and much longer content that must not survive");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));

    AtomicFiles.writePrivate(f, "new");

    assertThat(Files.readString(f)).isEqualTo("new");
    assertThat(mode(f)).isEqualTo("rw-------");
  }

  @Test
  void writesPublicFilesWithMode0644() throws Exception {
    Path f = dir.resolve("ca.crt");

    AtomicFiles.writePublic(f, "-----BEGIN CERTIFICATE-----\n");

    assertThat(Files.readString(f)).isEqualTo("-----BEGIN CERTIFICATE-----\n");
    assertThat(mode(f)).isEqualTo("rw-r--r--");
  }

  @Test
  void writesUtf8() throws Exception {
    Path f = dir.resolve("note");

    AtomicFiles.writePublic(f, "zürich ✓");

    assertThat(Files.readAllBytes(f)).isEqualTo("zürich ✓".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void leavesNoTemporaryFilesBehind() throws Exception {
    AtomicFiles.writePrivate(dir.resolve("a.key"), "1");
    AtomicFiles.writePrivate(dir.resolve("a.key"), "2");
    AtomicFiles.writePublic(dir.resolve("a.crt"), "3");
    AtomicFiles.writePublic(dir.resolve("a.crt"), "4");

    assertThat(names(dir)).containsExactly("a.crt", "a.key");
  }

  @Test
  void leavesNoTemporaryFileBehindWhenTheRenameFails() throws Exception {
    Path target = dir.resolve("taken");
    Files.createDirectory(target);
    Files.writeString(target.resolve("inside"), "x");

    assertThatThrownBy(() -> AtomicFiles.writePrivate(target, "content")).isInstanceOf(IOException.class);

    assertThat(names(dir)).containsExactly("taken");
    assertThat(names(target)).containsExactly("inside");
  }

  @Test
  void createsMissingParentDirectories() throws Exception {
    Path f = dir.resolve("a/b/c.key");

    AtomicFiles.writePrivate(f, "k");

    assertThat(Files.readString(f)).isEqualTo("k");
  }

  @Test
  void createsPrivateDirectoriesWithMode0700() throws Exception {
    Path d = dir.resolve("data/tls");

    AtomicFiles.ensurePrivateDirectory(d);

    assertThat(Files.isDirectory(d)).isTrue();
    assertThat(mode(d)).isEqualTo("rwx------");
    assertThat(mode(d.getParent())).isEqualTo("rwx------");
  }

  @Test
  void leavesAnExistingDirectoryAsItIs() throws Exception {
    Path d = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(d.resolve("keep"), "x");

    AtomicFiles.ensurePrivateDirectory(d);

    assertThat(mode(d)).isEqualTo("rwxr-xr-x");
    assertThat(names(d)).containsExactly("keep");
  }

  @Test
  void refusesAPrivateDirectoryWhereAFileIs() throws Exception {
    Path f = Files.writeString(dir.resolve("data"), "x");

    assertThatThrownBy(() -> AtomicFiles.ensurePrivateDirectory(f))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("not a directory");
  }
}
