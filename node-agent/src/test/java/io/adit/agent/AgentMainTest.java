package io.adit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.daemon.ConfigFile;
import io.adit.common.daemon.DaemonMain;
import io.adit.common.daemon.LogComponents;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AgentMainTest {
  @TempDir
  Path dir;

  private AgentMain parse(String... extra) {
    AgentMain main = new AgentMain();
    String[] base = {"--controller", "127.0.0.1:7443", "--name", "node1", "--data-dir", dir.resolve("data").toString()};
    String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
        .toArray(String[]::new);
    new CommandLine(main).parseArgs(args);
    return main;
  }

  @Test
  void readsTheTokenFromAFileSoItStaysOutOfPs() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "0123456789.secret.hash\n");
    assertThat(parse("--join-token-file", file.toString()).joinToken()).contains("0123456789.secret.hash");
    assertThat(parse("--join-token", "a.b.c").joinToken()).contains("a.b.c");
    assertThat(parse().joinToken()).isEmpty();
  }

  @Test
  void aMissingEmptyOrDoubleTokenIsABadFlagWithTheReason() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), " \n");
    assertThatThrownBy(() -> parse("--join-token-file", dir.resolve("nope").toString()).joinToken())
        .isInstanceOf(InvalidInputException.class).hasMessageEndingWith("nope: no such file");
    assertThatThrownBy(() -> parse("--join-token-file", empty.toString()).joinToken())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("is empty");
    assertThatThrownBy(() -> parse("--join-token", "a.b.c", "--join-token-file", empty.toString()).joinToken())
        .isInstanceOf(InvalidInputException.class).hasMessage("give --join-token or --join-token-file, not both");
  }

  private static AgentMain load(String... args) {
    AgentMain main = new AgentMain();
    CommandLine cmd = new CommandLine(main);
    cmd.parseArgs(ConfigFile.load(cmd.getCommandSpec(), args).args());
    return main;
  }

  @Test
  void theMinimalExampleIsAValidConfig() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "0123456789.secret.hash\n");
    // The example's token file is /etc/adit/join-token: a flag overrides it here.
    AgentConfig c = load("--config", EXAMPLES.resolve("agent.yaml").toString(), "--join-token-file", token.toString())
        .config();
    assertThat(c.controllers()).containsExactly(new HostPort("ctl1.example.org", 7443));
    assertThat(c.name()).isEqualTo("node1");
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/adit/agent"));
    assertThat(c.joinToken()).contains("0123456789.secret.hash");
  }

  @Test
  void theFullExampleIsValidAndMentionsEveryOption() throws Exception {
    Path example = EXAMPLES.resolve("agent.example.yaml");
    load("--config", example.toString(), "--join-token", "a.b.c").config();
    CommandLine.Model.CommandSpec spec = new CommandLine(new AgentMain()).getCommandSpec();
    String text = Files.readString(example);
    for (String key : ConfigFile.keys(spec)) {
      assertThat(Pattern.compile("(?m)^(# )?" + Pattern.quote(key) + ":").matcher(text).find())
          .as("agent.example.yaml describes %s", key).isTrue();
    }
    Matcher commented = Pattern.compile("(?m)^# ?([a-z][a-z0-9-]*):(\\s|$)").matcher(text);
    while (commented.find()) {
      assertThat(ConfigFile.keys(spec)).as("agent.example.yaml mentions an option that does not exist")
          .contains(commented.group(1));
    }
  }

  @Test
  void aBadValueInTheFileIsNamedByFileLineAndKeyWithExitCode2() throws Exception {
    Path f = Files.writeString(dir.resolve("a.yaml"), """
        controller: [ctl1.example.org:7443]
        name: Node_1
        data-dir: /var/lib/adit/agent
        """);
    assertThat(run("--config", f.toString())).isEqualTo("2 adit-agent: " + f
        + " line 2: name: 'Node_1' is not a valid DNS label: use lower-case letters, digits and '-',"
        + " starting and ending with a letter or digit\n");
    Files.writeString(f, "controller: ctl1.example.org:http\nname: node1\ndata-dir: /var/lib/adit/x\n");
    assertThat(run("--config", f.toString())).isEqualTo("2 adit-agent: " + f
        + " line 1: controller: 'ctl1.example.org:http' has no valid port: give a number from 1 to 65535\n");
    Files.writeString(f, "controller: [ctl1.example.org:7443]\nname: node1\ndata-dir: /var/lib/adit/x\ntls-provider: rustls\n");
    assertThat(run("--config", f.toString())).isEqualTo("2 adit-agent: " + f
        + " line 4: tls-provider must be openssl or jdk\n");
  }

  @Test
  void theComponentsAreTheAgentsPackages() {
    assertThat(LogComponents.of(AgentMain.class).names())
        .contains("identity", "reconcile", "relay", "revocation", "status", "tls", "watch");
  }

  private static final Path EXAMPLES = Path.of("..", "deploy", "config");

  private static String run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new AgentMain());
    cmd.setErr(new PrintWriter(err));
    int code = DaemonMain.run(cmd, LogComponents.of(AgentMain.class), args);
    return code + " " + err;
  }
}
