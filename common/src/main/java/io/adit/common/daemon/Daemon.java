package io.adit.common.daemon;

import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/** How the long-running binaries live: until SIGTERM/SIGINT, then close what they started. */
public final class Daemon {
  private Daemon() {}

  /**
   * Blocks until the JVM is asked to stop, then closes {@code running} (draining what it
   * serves) before the JVM exits.
   *
   * @param stopping told when the stop begins, for a log line
   */
  public static void runUntilStopped(AutoCloseable running, Consumer<String> stopping) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping.accept("stopping");
      try {
        running.close();
      } catch (Exception e) {
        stopping.accept("while stopping: " + e.getMessage());
      } finally {
        stopped.countDown();
      }
    }, "shutdown"));
    stopped.await();
  }
}
