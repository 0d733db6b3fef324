package io.adit.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.common.daemon.ConfigFile;
import io.adit.common.daemon.DaemonMain;
import io.adit.common.daemon.LogComponents;
import io.adit.common.validation.HostPort;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ControllerMainTest {
  static final Path EXAMPLES = Path.of("..", "deploy", "config");

  @TempDir
  Path dir;

  private static ControllerMain parse(String... args) {
    ControllerMain main = new ControllerMain();
    CommandLine cmd = new CommandLine(main);
    cmd.parseArgs(ConfigFile.load(cmd.getCommandSpec(), args).args());
    return main;
  }

  private static String run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new ControllerMain());
    cmd.setErr(new PrintWriter(err));
    int code = DaemonMain.run(cmd, LogComponents.of(ControllerMain.class), args);
    return code + " " + err;
  }

  @Test
  void theMinimalExampleIsAValidConfig() {
    ControllerConfig c = parse("--config", EXAMPLES.resolve("controller.yaml").toString()).config();
    assertThat(c.etcdEndpoints()).containsExactly("http://127.0.0.1:2379");
    assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 7443));
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/adit/controller"));
    assertThat(c.defaultTtl()).isEqualTo(ControllerConfig.DEFAULT_TTL);
  }

  @Test
  void theFullExampleIsValidAndMentionsEveryOption() throws Exception {
    Path example = EXAMPLES.resolve("controller.example.yaml");
    parse("--config", example.toString()).config();
    assertMentionsEveryOption(example, new CommandLine(new ControllerMain()).getCommandSpec());
  }

  /** Every option as a key, set or commented out; and no commented-out key that is not an option. */
  static void assertMentionsEveryOption(Path example, CommandLine.Model.CommandSpec spec) throws Exception {
    String text = Files.readString(example);
    for (String key : ConfigFile.keys(spec)) {
      assertThat(Pattern.compile("(?m)^(# )?" + Pattern.quote(key) + ":").matcher(text).find())
          .as("%s describes %s", example.getFileName(), key).isTrue();
    }
    Matcher commented = Pattern.compile("(?m)^# ?([a-z][a-z0-9-]*):(\\s|$)").matcher(text);
    while (commented.find()) {
      assertThat(ConfigFile.keys(spec)).as("%s mentions an option that does not exist", example.getFileName())
          .contains(commented.group(1));
    }
  }

  @Test
  void flagsOverrideTheFile() throws Exception {
    Path f = Files.writeString(dir.resolve("c.yaml"), """
        etcd: [http://10.0.0.1:2379, http://10.0.0.2:2379]
        listen: 0.0.0.0:7443
        data-dir: /var/lib/adit/controller
        max-ttl: 7d
        advertise: [ctl1.example.org, ctl2.example.org:9443]
        """);
    ControllerConfig c = parse("--config", f.toString(), "--listen", "127.0.0.1:9000", "--advertise", "ctl3.example.org")
        .config();
    assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 9000));
    assertThat(c.advertise()).containsExactly(new HostPort("ctl3.example.org", 9000));
    assertThat(c.etcdEndpoints()).containsExactly("http://10.0.0.1:2379", "http://10.0.0.2:2379");
    assertThat(c.maxTtl()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void aBadValueInTheFileIsNamedByFileLineAndKeyWithExitCode2() throws Exception {
    Path f = Files.writeString(dir.resolve("c.yaml"), """
        etcd: [http://127.0.0.1:2379]
        data-dir: /var/lib/adit/controller
        listen: ctl1.example.org
        """);
    assertThat(run("--config", f.toString())).isEqualTo("2 adit-controller: " + f
        + " line 3: listen: 'ctl1.example.org' has no valid port: give a number from 1 to 65535\n");
    Files.writeString(f, """
        etcd: [http://127.0.0.1:2379]
        data-dir: /var/lib/adit/controller
        listen: 127.0.0.1:7443
        max-ttl: 1h
        """);
    assertThat(run("--config", f.toString())).isEqualTo("2 adit-controller: " + f
        + " line 4: --default-ttl (1d) is longer than max-ttl (1h): raise max-ttl or lower --default-ttl\n");
    Files.writeString(f, "etcd: http://127.0.0.1:2379\nlisten: 127.0.0.1:7443\ndata-dir: /var/lib/adit/x\nlog-level-for: {tunnel: debug, nope: info}\n");
    // The list is the controller's packages, read from its classes: it grows with them.
    assertThat(run("--config", f.toString())).startsWith("2 adit-controller: " + f
        + " line 4: log-level-for: 'nope' is not a component: use one of api, ")
        .contains(" auth, ca, ", " identity, issuance, ", " tunnel, or a full logger name such as io.netty\n");
  }

  @Test
  void theComponentsAreTheControllersPackagesAndHelpShowsTheDaemonOptions() {
    assertThat(LogComponents.of(ControllerMain.class).names()).contains("api", "auth", "ca", "tunnel", "store");
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new ControllerMain());
    cmd.setOut(new PrintWriter(out));
    assertThat(DaemonMain.run(cmd, LogComponents.of(ControllerMain.class), new String[] {"--help"})).isZero();
    assertThat(List.of(out.toString().split("\n"))).anyMatch(l -> l.contains("--config=FILE"))
        .anyMatch(l -> l.contains("--log-format=text|json"));
  }
}
