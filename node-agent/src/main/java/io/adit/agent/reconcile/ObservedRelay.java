package io.adit.agent.reconcile;

/**
 * What this node runs for one service: the config it was started with, and whether it is
 * listening or failed (with the reason, until its spec changes or a resync retries it).
 */
public record ObservedRelay(DesiredRelay config, boolean failed, String reason) {
  public static ObservedRelay running(DesiredRelay config) {
    return new ObservedRelay(config, false, "");
  }

  public static ObservedRelay failed(DesiredRelay config, String reason) {
    return new ObservedRelay(config, true, reason);
  }
}
