package io.adit.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdLoginTest {
  @TempDir
  Path dir;

  @Test
  void keepsTheLoginPrivateAndReadsItBack() throws Exception {
    assertThat(EtcdLogin.read(dir)).isEmpty();
    new EtcdLogin("adit-node-n1", "p=a:s#s w").write(dir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(EtcdLogin.FILE)))).isEqualTo("rw-------");
    assertThat(EtcdLogin.read(dir)).contains(new EtcdLogin("adit-node-n1", "p=a:s#s w"));
    EtcdLogin.forget(dir);
    assertThat(EtcdLogin.read(dir)).isEmpty();
  }

  @Test
  void saysInOneSentenceWhyEtcdRefusedTheAgent() {
    Optional<EtcdLogin> login = Optional.of(new EtcdLogin("adit-node-n1", "x"));
    assertThat(EtcdLogin.explain("etcdserver: authentication failed, invalid user ID or password", login, dir))
        .hasValueSatisfying(m -> assertThat(m).startsWith("etcd refused this node's etcd user adit-node-n1")
            .contains("remove " + dir.resolve(EtcdLogin.FILE)));
    assertThat(EtcdLogin.explain("etcdserver: user name is empty", Optional.empty(), dir))
        .hasValueSatisfying(m -> assertThat(m).contains("this agent has no etcd user").contains("--etcd-user"));
    assertThat(EtcdLogin.explain("etcdserver: permission denied", login, dir)).isPresent();
    assertThat(EtcdLogin.explain("io exception", login, dir)).isEmpty();
  }
}
