package io.adit.agent.relay;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link RelayStats}; updated from every event loop without locks. */
final class StatsRecorder {
  final AtomicInteger active = new AtomicInteger();
  final LongAdder accepted = new LongAdder();
  final LongAdder opened = new LongAdder();
  final LongAdder bytesIn = new LongAdder();
  final LongAdder bytesOut = new LongAdder();
  final LongAdder pauses = new LongAdder();
  private final AtomicLong peakBuffered = new AtomicLong();
  private final Map<FailureKind, LongAdder> failures = new EnumMap<>(FailureKind.class);
  private volatile String lastFailure;

  StatsRecorder() {
    for (FailureKind kind : FailureKind.values()) {
      failures.put(kind, new LongAdder());
    }
  }

  void failed(Failure failure) {
    failures.get(failure.kind()).increment();
    if (failure.kind() != FailureKind.CLOSED_WITHOUT_DATA) {
      lastFailure = failure.reason();
    }
  }

  void buffered(long bytes) {
    if (bytes > peakBuffered.get()) {
      peakBuffered.accumulateAndGet(bytes, Math::max);
    }
  }

  RelayStats snapshot() {
    Map<FailureKind, Long> counts = new EnumMap<>(FailureKind.class);
    failures.forEach((kind, n) -> {
      long v = n.sum();
      if (v > 0) {
        counts.put(kind, v);
      }
    });
    return new RelayStats(active.get(), accepted.sum(), opened.sum(), bytesIn.sum(), bytesOut.sum(),
        Optional.ofNullable(lastFailure), counts, peakBuffered.get(), pauses.sum());
  }
}
