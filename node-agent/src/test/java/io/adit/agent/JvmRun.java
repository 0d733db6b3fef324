package io.adit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test class path in a JVM of its own: what a user sees on stdout and stderr. */
public record JvmRun(int exitCode, String output) {
  public static JvmRun run(List<String> jvmOptions, Class<?> main, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s ends", main.getSimpleName()).isTrue();
      return new JvmRun(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }
}
