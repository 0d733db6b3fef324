package io.adit.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.testing.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release installed for real and run as its units run it, inside namespaces of its own
 * ({@code src/test/sh/installed-service.sh}: overlays over /etc, /opt, /usr/local and /var, its own
 * loopback, its own PIDs, so the machine keeps none of it): install.sh makes the user adit; the
 * controller and the agent run from /opt/adit as adit; the agent, with the unit's JVM options
 * and CAP_NET_BIND_SERVICE as its only capability, serves a tunnel on port 443 with BoringSSL.
 * Needs root, as CI and install.sh do.
 */
class InstalledServiceIT {
  @TempDir Path tmp;

  @Test
  void theInstalledAgentRunsAsAditAndServesPort443WithOnlyThatCapability() throws Exception {
    Path release = Release.unpack(tmp.resolve("unpacked"));
    Path work = tmp.resolve("work");
    Path script = Path.of("src/test/sh/installed-service.sh").toAbsolutePath();
    Tools.Result r = Tools.run(List.of("unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc",
        "--propagation", "private", "bash", script.toString(), release.toString(), work.toString()), "",
        Duration.ofMinutes(6));
    assertThat(r.exitCode()).as("installed-service.sh:\n%s\n%s", r.out(), r.err()).isZero();

    assertThat(r.out()).contains("user: uid=", "(adit)")
        .contains("relay: hello-443")
        .contains("agent user: adit")
        // CAP_NET_BIND_SERVICE is bit 10: effective, ambient and bounding hold it and nothing else.
        .contains("CapEff: 0000000000000400", "CapAmb: 0000000000000400", "CapBnd: 0000000000000400")
        .contains("agent command: java -Xms16m -Xmx64m -XX:MaxDirectMemorySize=256m -jar /opt/adit/bin/../lib/adit-agent.jar")
        .contains("agent data dir: adit 700, node.conf adit 600")
        .contains("controller data dir: adit 700, ca.kek adit 600")
        .containsPattern("agent node1 starting: .*TLS by OPENSSL, EPOLL transport");
  }
}
