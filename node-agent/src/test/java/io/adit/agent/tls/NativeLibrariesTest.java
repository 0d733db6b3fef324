package io.adit.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class NativeLibrariesTest {
  @Test
  void aLibraryThatCouldNotBeUnpackedPointsAtTheTempDir() {
    UnsatisfiedLinkError e = new UnsatisfiedLinkError("could not load a native library: netty_tcnative_linux_x86_64");
    e.addSuppressed(new IOException("/tmp/libnetty_tcnative123.so: Permission denied"));
    String text = NativeLibraries.explain(new IllegalStateException("Failed to load any of the given libraries", e));
    assertThat(text).startsWith("could not load a native library: netty_tcnative_linux_x86_64: "
        + "/tmp/libnetty_tcnative123.so: Permission denied; Netty unpacks it into ");
    if (System.getProperty("io.netty.native.workdir") == null) {
      assertThat(text).contains("java.io.tmpdir " + System.getProperty("java.io.tmpdir"))
          .endsWith("set -Djava.io.tmpdir=DIR in ADIT_JAVA_OPTS, or give the service its own (systemd PrivateTmp=yes)");
    }
  }

  @Test
  void aMissingClassIsNotAboutTheTempDir() {
    String text = NativeLibraries.explain(new ClassNotFoundException("io.netty.internal.tcnative.SSLContext"));
    assertThat(text).isEqualTo("io.netty.internal.tcnative.SSLContext");
    assertThat(NativeLibraries.explain(null)).isEqualTo("no reason given");
  }
}
