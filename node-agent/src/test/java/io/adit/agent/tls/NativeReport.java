package io.adit.agent.tls;

import io.adit.agent.relay.EventLoopGroups;

/** Run in a JVM of its own by {@link NativeFallbackIT}: logs what the agent logs at start about TLS and I/O. */
public final class NativeReport {
  private NativeReport() {}

  public static void main(String[] args) {
    Provider.log(Provider.best());
    EventLoopGroups.create(1).close();
  }
}
