package io.adit.agent.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The system's bind errors (NIO's and epoll's wording) as sentences an operator can act on. */
class BindErrorsTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0.0.0.0  | 6000 | bind(..) failed: Address already in use | port 6000 is already in use",
      "10.0.0.5 | 6000 | Address already in use                  | port 6000 is already in use on 10.0.0.5",
      "0.0.0.0  | 443  | bind(..) failed: Permission denied      | binding port 443 needs root or CAP_NET_BIND_SERVICE",
      "10.1.1.1 | 6000 | Cannot assign requested address        | address 10.1.1.1 is not on this host",
      "0.0.0.0  | 6000 | something else                          | cannot listen on 0.0.0.0:6000: something else",
  })
  void explainsBindFailures(String host, int port, String systemMessage, String sentence) {
    RelayBindException e = BindErrors.explain(new InetSocketAddress(host, port), new IOException(systemMessage));

    assertThat(e).hasMessage(sentence);
    assertThat(e.getCause()).hasMessage(systemMessage);
  }
}
