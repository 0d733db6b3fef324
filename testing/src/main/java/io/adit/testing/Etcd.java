package io.adit.testing;

import java.util.List;

/** A running etcd for tests: a child process, or a container where no binary is installed. */
public interface Etcd extends AutoCloseable {
  /** Client URLs, such as {@code http://127.0.0.1:40123}. */
  List<String> endpoints();

  /** Makes etcd unreachable (a dead dependency) while keeping its data. */
  void stop();

  /** Brings a stopped etcd back with the same endpoints and data. */
  void restart() throws Exception;

  @Override
  void close();

  /** The etcd binary on PATH if there is one, else a container if a Docker engine answers. */
  static Etcd start() throws Exception {
    if (EtcdBinary.onPath()) {
      return EtcdServer.start();
    }
    if (EtcdContainer.dockerAnswers()) {
      return EtcdContainer.start();
    }
    throw new IllegalStateException(
        "etcd is not installed and no Docker engine answers: integration tests need a real etcd. "
            + "Install Debian's package with `sudo apt-get install -y etcd-server` (it puts etcd on PATH).");
  }
}
