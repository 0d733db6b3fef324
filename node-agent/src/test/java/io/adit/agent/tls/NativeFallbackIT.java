package io.adit.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.agent.JvmRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty unpacks BoringSSL and epoll into a work directory; where that fails the agent still runs,
 * on the JDK's TLS and Java NIO, and its log says so, why, and what to do.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeFallbackIT {
  @TempDir
  Path dir;

  private static String run(String... jvmOptions) throws Exception {
    List<String> options = new java.util.ArrayList<>(List.of(jvmOptions));
    options.add("-Dlogback.configurationFile=src/main/resources/logback.xml"); // not the controller's too
    return JvmRun.run(options, NativeReport.class).output();
  }

  @Test
  void saysBoringSslAndEpollWhenTheyLoad() throws Exception {
    String log = run();
    assertThat(log).contains("TLS: BoringSSL (").contains("relays use epoll");
  }

  @Test
  void saysWhyAndWhatToDoWhenTheNativeLibrariesCannotBeUnpacked() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "not a directory");
    String log = run("-Dio.netty.native.workdir=" + notADirectory);
    assertThat(log).contains("WARN").contains("TLS: the JDK's SSLEngine, slower: BoringSSL is not usable here (")
        .contains("Failed to load any of the given libraries")
        .contains("relays use Java NIO with 1 I/O threads: epoll is not usable here (")
        .contains("Netty unpacks it into io.netty.native.workdir " + notADirectory
            + ", which must be a writable directory not mounted noexec");
  }
}
