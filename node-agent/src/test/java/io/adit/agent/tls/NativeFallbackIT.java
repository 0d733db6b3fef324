package io.adit.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  private static String run(String... jvmOptions) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), NativeReport.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
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
