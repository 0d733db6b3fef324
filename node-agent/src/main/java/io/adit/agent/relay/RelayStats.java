package io.adit.agent.relay;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of one relay's counters since it started.
 *
 * @param activeConnections connections accepted and not yet closed (in handshake, connecting or relayed)
 * @param acceptedTotal connections accepted, including those refused afterwards
 * @param openedTotal connections that passed every check and reached a backend
 * @param bytesIn payload bytes from clients to backends
 * @param bytesOut payload bytes from backends to clients
 * @param lastFailure the most recent failure, in plain words
 * @param failures failures by kind (only kinds that happened)
 * @param peakBufferedBytes the most bytes ever waiting in one connection's outbound buffer: what
 *     backpressure bounds (about the write-buffer high-water mark plus one read)
 * @param backpressurePauses how many times reading stopped because the other side was slower
 */
public record RelayStats(int activeConnections, long acceptedTotal, long openedTotal, long bytesIn, long bytesOut,
    Optional<String> lastFailure, Map<FailureKind, Long> failures, long peakBufferedBytes, long backpressurePauses) {

  public RelayStats {
    failures = Map.copyOf(failures);
  }

  /** The failures that happened during the TLS handshake or the authorization right after it. */
  public Map<FailureKind, Long> handshakeFailures() {
    Map<FailureKind, Long> out = new EnumMap<>(FailureKind.class);
    failures.forEach((kind, n) -> {
      if (kind.isHandshake()) {
        out.put(kind, n);
      }
    });
    return out;
  }

  /** How many failures of this kind happened. */
  public long failures(FailureKind kind) {
    return failures.getOrDefault(kind, 0L);
  }
}
