package io.adit.common.proto;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Between {@link Instant} and protobuf's {@link Timestamp}. */
public final class Timestamps {
  private Timestamps() {}

  public static Timestamp of(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  public static Instant toInstant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** Whether a timestamp field was set (protobuf's default is the epoch). */
  public static boolean isSet(Timestamp t) {
    return t.getSeconds() != 0 || t.getNanos() != 0;
  }
}
