package io.adit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.common.validation.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
