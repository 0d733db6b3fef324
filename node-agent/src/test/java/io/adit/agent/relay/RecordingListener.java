package io.adit.agent.relay;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what a relay reported, for assertions. */
final class RecordingListener implements RelayListener {
  final List<String> failures = new CopyOnWriteArrayList<>();
  final List<ConnectionInfo> opened = new CopyOnWriteArrayList<>();
  final List<ConnectionInfo> closed = new CopyOnWriteArrayList<>();

  @Override
  public void onFailure(String reason) {
    failures.add(reason);
  }

  @Override
  public void onOpen(ConnectionInfo info) {
    opened.add(info);
  }

  @Override
  public void onClose(ConnectionInfo info, long bytesIn, long bytesOut) {
    closed.add(info);
  }
}
