package io.adit.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as an operator uses it: unpack, {@code install.sh}, run {@code aditctl
 * --version}, check the systemd units with {@code systemd-analyze verify}, install again.
 * Everything goes under {@code --root}, a temporary directory.
 */
class InstallIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @TempDir Path tmp;
  Path release;
  Path root;

  @BeforeEach
  void unpack() throws Exception {
    release = Release.unpack(tmp.resolve("unpacked"));
    root = tmp.resolve("root");
  }

  @Test
  void theArchiveHoldsTheProgramsTheirJarsTheUnitsAndTheInstaller() {
    for (String f : List.of("install.sh", "bin/aditctl", "bin/adit-controller", "bin/adit-agent", "deploy/etcd-cluster.sh")) {
      assertThat(release.resolve(f)).as(f).isRegularFile().isExecutable();
    }
    for (String f : List.of("lib/aditctl.jar", "lib/adit-controller.jar", "lib/adit-agent.jar", "README.md",
        "deploy/systemd/adit-controller.service", "deploy/systemd/adit-agent.service")) {
      assertThat(release.resolve(f)).as(f).isRegularFile();
    }
  }

  @Test
  void installsUnderThePrefixAndItsAditctlRuns() throws Exception {
    Tools.Result install = install("--prefix", "/opt/adit");
    assertThat(install.out()).contains("systemctl enable --now adit-agent");

    Path bin = root.resolve("opt/adit/bin");
    Tools.Result version = Release.run(List.of(bin.resolve("aditctl").toString(), "--version"), TIMEOUT);
    assertThat(version.exitCode()).as("aditctl --version: %s", version.err()).isZero();
    assertThat(version.out()).contains(Release.VERSION);
    for (String daemon : List.of("adit-controller", "adit-agent")) {
      Tools.Result v = Release.run(List.of(bin.resolve(daemon).toString(), "--version"), TIMEOUT);
      assertThat(v.exitCode()).as("%s --version: %s", daemon, v.err()).isZero();
      assertThat(v.out()).contains(daemon);
    }
    assertThat(Files.readSymbolicLink(root.resolve("usr/local/bin/aditctl"))).isEqualTo(Path.of("/opt/adit/bin/aditctl"));
    assertThat(root.resolve("etc/bash_completion.d/aditctl")).content().contains("aditctl").contains("complete");
  }

  @Test
  void theInstalledUnitsPassSystemdAnalyzeVerify() throws Exception {
    install("--prefix", "/srv/adit");

    Path units = root.resolve("etc/systemd/system");
    Path check = Files.createDirectories(tmp.resolve("verify"));
    List<String> verify = new ArrayList<>(List.of("systemd-analyze", "verify"));
    for (String unit : List.of("adit-controller", "adit-agent")) {
      String text = Files.readString(units.resolve(unit + ".service"));
      assertThat(text)
          .contains("ExecStart=/srv/adit/bin/" + unit + " --config /etc/adit/" + unit.substring(5) + ".yaml")
          .contains("User=adit", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "Restart=on-failure");
      // systemd-analyze checks that ExecStart's program exists: point it at the installed one.
      Path copy = check.resolve(unit + ".service");
      Files.writeString(copy, text.replace("/srv/adit/bin/", root.resolve("srv/adit/bin") + "/"));
      verify.add(copy.toString());
    }
    assertThat(Files.readString(units.resolve("adit-agent.service")))
        .contains("AmbientCapabilities=CAP_NET_BIND_SERVICE", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE");

    Tools.Result r = Release.run(verify, TIMEOUT);
    assertThat(r.exitCode()).as("systemd-analyze verify: %s%s", r.out(), r.err()).isZero();
    assertThat(r.err()).as("systemd-analyze verify's warnings").isBlank();
  }

  @Test
  void aSecondRunUpgradesTheProgramsAndKeepsTheOperatorsConfig() throws Exception {
    Path config = Files.createDirectories(release.resolve("deploy/config"));
    Files.writeString(config.resolve("controller.yaml"), "# shipped controller config\n");
    Files.writeString(config.resolve("agent.yaml"), "# shipped agent config\n");
    install("--prefix", "/opt/adit");
    Path etc = root.resolve("etc/adit");
    assertThat(etc.resolve("controller.yaml")).content().isEqualTo("# shipped controller config\n");
    assertThat(etc.resolve("agent.yaml")).content().isEqualTo("# shipped agent config\n");

    Files.writeString(etc.resolve("controller.yaml"), "listen: 0.0.0.0:7443\n");
    Files.delete(etc.resolve("agent.yaml"));
    Path stale = root.resolve("opt/adit/lib/adit-old.jar");
    Files.writeString(stale, "from an older release");

    Tools.Result again = install("--prefix", "/opt/adit");
    assertThat(again.out()).contains("kept the existing");
    assertThat(etc.resolve("controller.yaml")).content().isEqualTo("listen: 0.0.0.0:7443\n");
    assertThat(etc.resolve("agent.yaml")).content().isEqualTo("# shipped agent config\n");
    assertThat(stale).doesNotExist();
    assertThat(Files.getPosixFilePermissions(root.resolve("opt/adit/bin/aditctl"))).contains(PosixFilePermission.OWNER_EXECUTE);
    Tools.Result version = Release.run(List.of(root.resolve("opt/adit/bin/aditctl").toString(), "--version"), TIMEOUT);
    assertThat(version.exitCode()).as("aditctl --version after the upgrade: %s", version.err()).isZero();
  }

  @Test
  void withoutSystemdNoUnitIsInstalled() throws Exception {
    Tools.Result r = install("--no-systemd");
    assertThat(root.resolve("opt/adit/bin/adit-agent")).isExecutable();
    assertThat(root.resolve("etc/systemd")).doesNotExist();
    assertThat(r.out()).contains("--no-systemd");
  }

  @Test
  void aRelativePrefixIsRefusedInOneSentence() {
    Tools.Result r = Release.run(List.of("sh", release.resolve("install.sh").toString(), "--root", root.toString(),
        "--prefix", "opt/adit"), TIMEOUT);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("install.sh: --prefix must be an absolute path, not opt/adit");
    assertThat(root.resolve("opt")).doesNotExist();
  }

  @Test
  void aPrefixHoldingOtherFilesIsRefusedAndLeftAlone() throws Exception {
    Path usrLocal = Files.createDirectories(root.resolve("usr/local/lib"));
    Files.writeString(usrLocal.resolve("libother.so"), "someone else's");
    Tools.Result r = Release.run(List.of("sh", release.resolve("install.sh").toString(), "--root", root.toString(),
        "--prefix", "/usr/local"), TIMEOUT);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("install.sh: " + root.resolve("usr/local")
        + " already holds other files: give --prefix a directory of Adit's own (the default is /opt/adit)");
    assertThat(usrLocal.resolve("libother.so")).content().isEqualTo("someone else's");
    assertThat(usrLocal.resolve("aditctl.jar")).doesNotExist();
  }

  private Tools.Result install(String... args) {
    List<String> cmd = new ArrayList<>(List.of("sh", release.resolve("install.sh").toString(), "--root", root.toString()));
    cmd.addAll(List.of(args));
    Tools.Result r = Release.run(cmd, TIMEOUT);
    assertThat(r.exitCode()).as("install.sh %s: %s%s", List.of(args), r.out(), r.err()).isZero();
    return r;
  }
}
