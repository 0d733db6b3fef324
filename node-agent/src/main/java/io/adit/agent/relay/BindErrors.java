package io.adit.agent.relay;

import java.net.InetSocketAddress;
import java.util.Locale;

/** Turns a failed bind into a sentence: the system says "bind(..) failed: Address already in use". */
final class BindErrors {
  private BindErrors() {}

  static RelayBindException explain(InetSocketAddress address, Throwable cause) {
    String text = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
    int port = address.getPort();
    String host = address.isUnresolved() ? address.getHostString()
        : address.getAddress().isAnyLocalAddress() ? null : address.getAddress().getHostAddress();
    String sentence;
    if (address.isUnresolved()) {
      sentence = "address " + address.getHostString() + " cannot be resolved";
    } else if (text.contains("address already in use")) {
      sentence = "port " + port + " is already in use" + (host == null ? "" : " on " + host);
    } else if (text.contains("permission denied") || text.contains("access denied")) {
      sentence = "binding port " + port + " needs root or CAP_NET_BIND_SERVICE";
    } else if (text.contains("cannot assign requested address") || text.contains("assign requested")) {
      sentence = "address " + host + " is not on this host";
    } else {
      sentence = "cannot listen on " + Plain.address(address) + ": " + cause.getMessage();
    }
    return new RelayBindException(sentence, cause);
  }
}
