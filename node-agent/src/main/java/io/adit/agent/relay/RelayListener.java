package io.adit.agent.relay;

/**
 * What a relay tells its owner. Called on the relay's event-loop threads, concurrently for
 * different connections: implementations must be thread-safe, quick and must not block (store
 * the value, hand heavier work to another executor). An exception thrown here is logged and
 * otherwise ignored.
 */
@FunctionalInterface
public interface RelayListener {
  RelayListener NONE = reason -> { };

  /**
   * A connection was refused or failed, with the reason in plain words ("identity client2 is
   * not allowed on service1"), the same sentence as in the log: the agent publishes it as the
   * service's last failure.
   */
  void onFailure(String reason);

  /**
   * Every failure with its class (the agent's metrics count them by {@code kind.key()}). By
   * default, passes those worth reporting to {@link #onFailure(String)}: all but
   * {@link FailureKind#CLOSED_WITHOUT_DATA} (port scanners and TCP health checks).
   */
  default void onFailure(FailureKind kind, String reason) {
    if (kind != FailureKind.CLOSED_WITHOUT_DATA) {
      onFailure(reason);
    }
  }

  /** A connection was accepted (before any check: it may be refused next). */
  default void onAccept() {}

  /** A TLS handshake succeeded (server mode: the client's; client mode: the server's), in nanoseconds. */
  default void onHandshake(long nanos) {}

  /** A backend (client mode: the remote server) accepted the TCP connection after {@code nanos}. */
  default void onBackendConnected(long nanos) {}

  /** A connection passed every check and is now relayed to {@code info.backend()}. */
  default void onOpen(ConnectionInfo info) {}

  /** A relayed connection ended (after {@link #onOpen}), with its totals. */
  default void onClose(ConnectionInfo info, long bytesIn, long bytesOut) {}
}
