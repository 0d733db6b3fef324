package io.adit.common.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files so that a reader sees the old content or the new one, never half of either:
 * a temporary file in the same directory, fsync, then an atomic rename. Secrets are created
 * with mode 0600 from the start, so there is no moment when they are readable by others.
 */
public final class AtomicFiles {
  private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

  private AtomicFiles() {}

  public static void writePrivate(Path target, String content) throws IOException {
    write(target, content.getBytes(StandardCharsets.UTF_8), PRIVATE);
  }

  public static void writePrivate(Path target, byte[] content) throws IOException {
    write(target, content, PRIVATE);
  }

  public static void writePublic(Path target, String content) throws IOException {
    write(target, content.getBytes(StandardCharsets.UTF_8), PUBLIC);
  }

  public static void writePublic(Path target, byte[] content) throws IOException {
    write(target, content, PUBLIC);
  }

  /** Creates a directory (and its parents) if missing; new directories get mode 0700. */
  public static void ensurePrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    try {
      Files.createDirectories(dir, asAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException e) {
      throw new IOException(dir + " exists and is not a directory", e);
    }
  }

  private static void write(Path target, byte[] content, Set<PosixFilePermission> mode) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Files.createDirectories(dir);
    Path tmp;
    try {
      tmp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp", asAttribute(mode));
    } catch (UnsupportedOperationException e) {
      tmp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
    }
    try {
      try {
        // The umask may have taken bits off at creation: set the mode we mean.
        Files.setPosixFilePermissions(tmp, mode);
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static FileAttribute<Set<PosixFilePermission>> asAttribute(Set<PosixFilePermission> mode) {
    return PosixFilePermissions.asFileAttribute(mode);
  }
}
