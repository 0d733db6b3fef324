package io.adit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing temporary directories that tests made. */
public final class TempDirs {
  private TempDirs() {}

  public static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // leave what cannot be removed; the OS cleans temp dirs
        }
      });
    } catch (IOException e) {
      // same
    }
  }
}
