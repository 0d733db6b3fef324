package io.adit.controller.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.common.validation.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EtcdAccessTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "etcdserver: user name is empty|logs in as nobody: give it an etcd user with the root role (--etcd-user NAME",
      "etcdserver: authentication is not enabled|has authentication disabled, so --etcd-user cannot log in",
      "etcdserver: authentication failed, invalid user ID or password|refused the controller's etcd user or password",
      "etcdserver: permission denied|it needs the root role (etcdctl user grant-role USER root)"})
  void explainsEtcdsAccessErrorsInPlainWords(String etcdError, String expected) {
    assertThat(EtcdAccess.explain(etcdError, "http://127.0.0.1:2379").orElseThrow())
        .startsWith("etcd at http://127.0.0.1:2379 ").contains(expected);
  }

  @Test
  void leavesOtherErrorsToTheCaller() {
    assertThat(EtcdAccess.explain("connection refused", "http://127.0.0.1:2379")).isEmpty();
    assertThat(EtcdAccess.explain(null, "http://127.0.0.1:2379")).isEmpty();
  }

  @Test
  void readsThePasswordFromTheFilesFirstLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, "s3cret\r\nignored\n");
    EtcdAuth auth = EtcdAuth.fromFile("root", file);
    assertThat(auth.password()).isEqualTo("s3cret");
    assertThat(auth.toString()).doesNotContain("s3cret");
    Files.writeString(file, "\n");
    Assertions.assertThatThrownBy(() -> EtcdAuth.fromFile("root", file)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--etcd-password-file");
    Assertions.assertThatThrownBy(() -> EtcdAuth.fromFile("root", null)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--etcd-user needs --etcd-password-file");
  }
}
