package io.adit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** adit-agent as a process: its options from a config file, its logs as JSON lines, its exit codes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgentProcessIT {
  /** Well-formed enough for the flags, refused when the agent tries to join. */
  private static final String BAD_TOKEN = "not-a-token";

  /**
   * The agent's own logback.xml: the test class path also has the controller's, and logback
   * would report the duplicate on stdout.
   */
  private static final List<String> JVM = List.of("-Dlogback.configurationFile=src/main/resources/logback.xml");

  @TempDir
  Path dir;

  private Path config(String more) throws Exception {
    return Files.writeString(dir.resolve("agent.yaml"), """
        controller: [127.0.0.1:7443]
        name: node1
        data-dir: %s
        log-format: json
        """.formatted(dir.resolve("data")) + more);
  }

  @Test
  void withLogFormatJsonInTheFileEveryLineIsJson() throws Exception {
    JvmRun r = JvmRun.run(JVM, AgentMain.class, "--config", config("").toString(), "--join-token", BAD_TOKEN);
    assertThat(r.exitCode()).isEqualTo(1);
    List<String> lines = r.output().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).isNotEmpty();
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      json.readTree(line); // throws if a line is not JSON
    }
    JsonNode last = json.readTree(lines.get(lines.size() - 1));
    assertThat(last.path("level").asText()).isEqualTo("ERROR");
    assertThat(last.path("logger_name").asText()).isEqualTo(AgentMain.class.getName());
    assertThat(last.path("message").asText()).startsWith("adit-agent could not start: the join token is malformed");
  }

  @Test
  void aFlagOverridesTheFilesLogFormat() throws Exception {
    JvmRun r = JvmRun.run(JVM, AgentMain.class, "--config", config("").toString(), "--join-token", BAD_TOKEN,
        "--log-format", "text");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.output()).contains(" ERROR [main] AgentMain: adit-agent could not start: the join token is malformed")
        .doesNotContain("{\"");
  }

  @Test
  void aBadKeyIsOneLineAndExitCode2() throws Exception {
    Path f = config("tls-providr: jdk\n");
    JvmRun r = JvmRun.run(JVM, AgentMain.class, "--config", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.output()).isEqualTo("adit-agent: " + f + " line 5: unknown key tls-providr (did you mean tls-provider?)\n");
  }
}
