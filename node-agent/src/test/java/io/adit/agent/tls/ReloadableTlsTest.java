package io.adit.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;

class ReloadableTlsTest {
  private static final TestPki.Ca CA = TestPki.newCa("Test CA");

  private static SslContext server() {
    TestPki.Leaf leaf = CA.server("service1");
    return TlsContexts.forServer(leaf.key(), leaf.chain(), CA.trust(), Verify.REQUIRE, "1.2", Provider.JDK);
  }

  @Test
  void newConnectionsTakeTheUpdatedContext() {
    SslContext first = server();
    SslContext renewed = server();
    ReloadableTls tls = new ReloadableTls(first);

    assertThat(tls.current()).isSameAs(first);
    tls.update(renewed);
    assertThat(tls.current()).isSameAs(renewed);
  }

  @Test
  void aServerContextCannotBeReplacedByAClientOne() {
    ReloadableTls tls = new ReloadableTls(server());
    SslContext client = TlsContexts.forClient(null, null, CA.trust(), "1.2", Provider.JDK);

    assertThatThrownBy(() -> tls.update(client)).hasMessage("cannot replace a server TLS context with a client one");
  }
}
