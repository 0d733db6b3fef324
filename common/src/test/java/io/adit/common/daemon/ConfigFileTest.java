package io.adit.common.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class ConfigFileTest {
  @TempDir
  Path dir;

  @Command(name = "demo", mixinStandardHelpOptions = true)
  static final class Demo implements Callable<Integer> {
    @Option(names = "--listen", required = true)
    String listen;

    @Option(names = "--etcd", split = ",")
    List<String> etcd = new ArrayList<>();

    @Option(names = "--advertise")
    List<String> advertise = new ArrayList<>();

    @Option(names = "--default-ttl", defaultValue = "24h")
    String defaultTtl;

    @Option(names = "--insecure-demo")
    boolean insecure;

    @Option(names = "--label")
    Map<String, String> labels = new LinkedHashMap<>();

    @Mixin
    DaemonOptions daemon;

    @Override
    public Integer call() {
      HostPort.parse("--listen", listen, false);
      return 0;
    }
  }

  private Path file(String yaml) throws Exception {
    return Files.writeString(dir.resolve("demo.yaml"), yaml);
  }

  private Demo parse(String... args) {
    Demo demo = new Demo();
    CommandLine cmd = new CommandLine(demo);
    cmd.parseArgs(ConfigFile.load(cmd.getCommandSpec(), args).args());
    return demo;
  }

  private static String loadError(Path file, String... more) {
    Demo demo = new Demo();
    List<String> args = new ArrayList<>(List.of("--config", file.toString()));
    args.addAll(List.of(more));
    try {
      ConfigFile.load(new CommandLine(demo).getCommandSpec(), args.toArray(String[]::new));
    } catch (InvalidInputException e) {
      return e.getMessage();
    }
    throw new AssertionError("no error");
  }

  @Test
  void everyOptionCanComeFromTheFileIncludingRequiredOnes() throws Exception {
    Path f = file("""
        # a comment
        listen: 127.0.0.1:7443
        etcd: [http://a:2379, http://b:2379]
        advertise:
          - ctl1.example.org
          - ctl2.example.org
        default-ttl: 12h
        insecure-demo: true
        label: {zone: a, rack: "7"}
        log-format: json
        """);
    Demo d = parse("--config", f.toString());
    assertThat(d.listen).isEqualTo("127.0.0.1:7443");
    assertThat(d.etcd).containsExactly("http://a:2379", "http://b:2379");
    assertThat(d.advertise).containsExactly("ctl1.example.org", "ctl2.example.org");
    assertThat(d.defaultTtl).isEqualTo("12h");
    assertThat(d.insecure).isTrue();
    assertThat(d.labels).containsExactly(Map.entry("zone", "a"), Map.entry("rack", "7"));
    assertThat(d.daemon.logFormat).isEqualTo("json");
  }

  @Test
  void flagsOverrideTheFileAndAListOnTheCommandLineReplacesTheFilesList() throws Exception {
    Path f = file("""
        listen: 127.0.0.1:7443
        etcd: [http://a:2379, http://b:2379]
        advertise: [ctl1.example.org]
        insecure-demo: false
        """);
    Demo d = parse("--listen", "0.0.0.0:9000", "--config", f.toString(), "--etcd", "http://c:2379",
        "--insecure-demo");
    assertThat(d.listen).isEqualTo("0.0.0.0:9000");
    assertThat(d.etcd).containsExactly("http://c:2379");
    assertThat(d.advertise).containsExactly("ctl1.example.org");
    assertThat(d.insecure).isTrue();
    assertThat(d.defaultTtl).isEqualTo("24h");
  }

  @Test
  void valuesKeepTheirTextAsWrittenAndAScalarIsAOneItemList() throws Exception {
    // YAML 1.1 would read 1:30 as the number 90, and 010 as 8.
    Path f = file("listen: 1:30\ndefault-ttl: 010\netcd: http://a:2379,http://b:2379\nadvertise: '-dash'\n");
    Demo d = parse("--config", f.toString());
    assertThat(d.listen).isEqualTo("1:30");
    assertThat(d.defaultTtl).isEqualTo("010");
    assertThat(d.etcd).containsExactly("http://a:2379", "http://b:2379");
    assertThat(d.advertise).containsExactly("-dash");
  }

  @Test
  void anEmptyFileSetsNothing() throws Exception {
    Demo d = parse("--config", file("# nothing yet\n").toString(), "--listen", "7443");
    assertThat(d.listen).isEqualTo("7443");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown key, near miss       | listen: 1\\nlisen: 2                 | demo.yaml line 2: unknown key lisen (did you mean listen?)
      unknown key, far off         | colour: blue                         | demo.yaml line 1: unknown key colour: the keys are the long options of demo --help, without the dashes
      key with dashes              | --listen: 1                          | demo.yaml line 1: write the key without dashes: listen, not --listen
      list for one value           | listen: [a, b]                       | demo.yaml line 1: listen takes one value, not a list
      map for one value            | listen: {a: b}                       | demo.yaml line 1: listen takes one value, not a map
      no value                     | listen: 1\\ndefault-ttl:             | demo.yaml line 2: default-ttl has no value: give one, or remove the line to keep the default
      nested list item             | etcd:\\n  - http://a\\n  - [x]       | demo.yaml line 3: etcd item 2 must be a plain value, not a list
      flag with a word             | insecure-demo: yes please            | demo.yaml line 1: insecure-demo is a flag: write true or false, not 'yes please'
      list for a map               | label: [a]                           | demo.yaml line 1: label takes a map of NAME: VALUE lines, not a list
      map entry with a list        | label:\\n  zone: [a]                 | demo.yaml line 2: label.zone takes one value, not a list
      the file names another       | config: other.yaml                   | demo.yaml line 1: config cannot be set in a config file
      help in a file               | help: true                           | demo.yaml line 1: help cannot be set in a config file
      a key twice                  | listen: 1\\nlisten: 2                | demo.yaml line 2: listen is set twice (also on line 1): keep one
      top level is a list          | - listen: 1                          | demo.yaml line 1: expected KEY: VALUE lines (such as 'data-dir: /var/lib/adit'), not a list
      """)
  void everyErrorNamesTheFileTheLineAndTheKey(String name, String yaml, String expected) throws Exception {
    Path f = file(yaml.replace("\\n", "\n"));
    assertThat(loadError(f)).isEqualTo(expected.replace("demo.yaml", f.toString()));
  }

  @Test
  void badYamlIsOneSentenceWithItsLine() throws Exception {
    Path f = file("listen: 1\netcd: [http://a:2379\n");
    String message = loadError(f);
    assertThat(message).startsWith(f + " is not valid YAML: line 3: ").doesNotContain("\n");
  }

  @Test
  void aMissingFileIsOneSentence() {
    assertThat(loadError(dir.resolve("nope.yaml"))).isEqualTo("config file " + dir.resolve("nope.yaml") + " does not exist");
  }

  @Test
  void aBadFlagOnTheCommandLineIsLeftToTheRealParse() throws Exception {
    // The probe cannot parse this command line, so the file is not applied; picocli reports the flag.
    Demo demo = new Demo();
    CommandLine cmd = new CommandLine(demo);
    ConfigFile c = ConfigFile.load(cmd.getCommandSpec(), new String[] {"--config", file("colour: x").toString(), "--listen"});
    assertThat(c.args()).containsExactly("--config", dir.resolve("demo.yaml").toString(), "--listen");
  }

  @Test
  void explainRewritesErrorsAboutValuesFromTheFile() throws Exception {
    Path f = file("default-ttl: 48h\nlisten: nowhere:x\n");
    Demo demo = new Demo();
    CommandLine cmd = new CommandLine(demo);
    ConfigFile c = ConfigFile.load(cmd.getCommandSpec(), new String[] {"--config", f.toString(), "--etcd", "http://a"});
    assertThat(c.explain("--listen 'nowhere:x' has no valid port: give a number from 1 to 65535"))
        .isEqualTo(f + " line 2: listen: 'nowhere:x' has no valid port: give a number from 1 to 65535");
    assertThat(c.explain("--default-ttl (48h) is longer than --max-ttl (30d): raise --max-ttl or lower --default-ttl"))
        .isEqualTo(f + " line 1: default-ttl (48h) is longer than --max-ttl (30d): raise --max-ttl or lower default-ttl");
    assertThat(c.explain("Invalid value for option '--listen': nope, and --default-ttl too"))
        .isEqualTo(f + " line 2: Invalid value for option 'listen': nope, and default-ttl too (default-ttl: line 1)");
    assertThat(c.explain("--etcd 'http://a' is bad")).isEqualTo("--etcd 'http://a' is bad"); // a flag: unchanged
  }

  @Test
  void theDaemonMainSaysWhatIsWrongInOneLineWithExitCode2() throws Exception {
    Path f = file("listen: 127.0.0.1:notaport\n");
    assertThat(run("--config", f.toString())).isEqualTo(
        "2 demo: " + f + " line 1: listen: '127.0.0.1:notaport' has no valid port: give a number from 1 to 65535\n");
    Files.writeString(f, "listn: 1\n");
    assertThat(run("--config", f.toString())).isEqualTo("2 demo: " + f + " line 1: unknown key listn (did you mean listen?)\n");
    Files.writeString(f, "etcd: [http://a:2379]\n");
    assertThat(run("--config", f.toString())).startsWith(
        "2 demo: Missing required option: '--listen=<listen>': give them as flags or in " + f + "\n");
    Files.writeString(f, "listen: 7443\nlog-level-for: {relay: loud}\n");
    assertThat(run("--config", f.toString())).startsWith(
        "2 demo: " + f + " line 2: log-level-for relay 'loud' is not a log level: use error, warn, info, debug, trace, off\n");
    Files.writeString(f, "listen: 7443\nlog-level-for: {relya: debug}\n");
    assertThat(run("--config", f.toString())).startsWith(
        "2 demo: " + f + " line 2: log-level-for: 'relya' is not a component: use one of relay, tls, or a full logger name");
    Files.writeString(f, "listen: 7443\nlog-format: xml\n");
    assertThat(run("--config", f.toString())).startsWith(
        "2 demo: " + f + " line 2: log-format: 'xml' is not a log format: use text or json\n");
    Files.writeString(f, "listn: 1\n");
    assertThat(run("--config", f.toString(), "--help")).isEqualTo("0 "); // help, on stdout, whatever the file says
    Files.writeString(f, "listen: 7443\nlog-level-for: {relay: debug, io.netty: warn}\nlog-level: info\n");
    assertThat(run("--config", f.toString())).isEqualTo("0 ");
  }

  private static String run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Demo());
    cmd.setErr(new PrintWriter(err));
    int code = DaemonMain.run(cmd, new LogComponents("io.adit.demo", List.of("relay", "tls")), args);
    return code + " " + err;
  }
}
