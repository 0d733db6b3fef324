package io.adit.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real etcd for a test class, on random loopback ports with a temporary data dir, stopped
 * after the class. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();}</pre>
 *
 * <p>It runs the {@code etcd} binary on PATH (Debian's {@code etcd-server}); without one it uses
 * an etcd container when a Docker engine answers; with neither the test fails and says how to
 * install etcd. It is never skipped.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback {
  private Etcd server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = Etcd.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
    }
  }

  /** Client URLs, such as {@code http://127.0.0.1:40123}. */
  public List<String> endpoints() {
    return server().endpoints();
  }

  /** The endpoints joined with commas, as the {@code --etcd} flag takes them. */
  public String endpointList() {
    return String.join(",", endpoints());
  }

  /** Stops etcd (a dead dependency); {@link #restart()} brings it back on the same ports and data. */
  public void stop() {
    server().stop();
  }

  public void restart() throws Exception {
    server().restart();
  }

  public Etcd server() {
    if (server == null) {
      throw new IllegalStateException("etcd is not started: register EtcdExtension with @RegisterExtension on a static field");
    }
    return server;
  }
}
