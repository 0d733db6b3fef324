package io.adit.agent.reconcile;

/** One step towards the desired state, with the reason a log line and the status can show. */
public sealed interface Action {
  String service();

  String reason();

  /** Open a listener that is not running. */
  record Start(DesiredRelay relay, String reason) implements Action {
    @Override
    public String service() {
      return relay.service();
    }
  }

  /** Replace a running (or failed) relay: the old one drains, the new one starts. */
  record Restart(DesiredRelay relay, String reason) implements Action {
    @Override
    public String service() {
      return relay.service();
    }
  }

  /** Stop a relay that is no longer wanted here; its connections drain. */
  record Stop(String service, String reason) implements Action {}
}
