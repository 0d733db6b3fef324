package io.adit.testing;

import java.time.Duration;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * etcd in a container, for machines with a Docker engine and no etcd binary. "Stopping" pauses
 * the container, so the mapped port and the data stay for {@link #restart()}.
 */
final class EtcdContainer implements Etcd {
  private static final String IMAGE = "quay.io/coreos/etcd:v3.5.17";
  private static final int CLIENT_PORT = 2379;

  private final GenericContainer<?> container;

  private EtcdContainer(GenericContainer<?> container) {
    this.container = container;
  }

  /** Asks the engine itself, not the docker CLI: a client without an engine is not enough. */
  static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @SuppressWarnings("resource")
  static EtcdContainer start() {
    GenericContainer<?> c = new GenericContainer<>(IMAGE)
        .withCommand("etcd",
            "--name", "adit-test",
            "--listen-client-urls", "http://0.0.0.0:" + CLIENT_PORT,
            "--advertise-client-urls", "http://127.0.0.1:" + CLIENT_PORT,
            "--data-dir", "/etcd-data")
        .withExposedPorts(CLIENT_PORT)
        .waitingFor(Wait.forHttp("/health").forPort(CLIENT_PORT).withStartupTimeout(Duration.ofSeconds(60)));
    c.start();
    return new EtcdContainer(c);
  }

  @Override
  public List<String> endpoints() {
    return List.of("http://" + container.getHost() + ":" + container.getMappedPort(CLIENT_PORT));
  }

  @Override
  public void stop() {
    container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void restart() {
    container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void close() {
    container.stop();
  }
}
