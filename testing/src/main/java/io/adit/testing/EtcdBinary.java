package io.adit.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the etcd binary on PATH. */
final class EtcdBinary {
  private EtcdBinary() {}

  static boolean onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, "etcd");
      if (Files.isExecutable(p)) {
        return true;
      }
    }
    return false;
  }
}
