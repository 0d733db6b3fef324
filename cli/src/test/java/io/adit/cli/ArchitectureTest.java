package io.adit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lines between the CLI's packages, checked on the sources: output knows neither the
 * connection nor the commands, the connection knows neither the commands nor the output, the
 * commands do not reach back into the entry point, and only the connection touches Netty, and
 * only grpc's shaded copy of it.
 */
class ArchitectureTest {
  static final Path SOURCES = Path.of("src/main/java/io/adit/cli");

  private static List<String> violations(String dir, Pattern forbidden) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES.resolve(dir))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (!dir.isEmpty() && !f.getParent().equals(SOURCES.resolve(dir))) {
          continue;
        }
        for (String line : Files.readAllLines(f)) {
          if (line.startsWith("import ") && forbidden.matcher(line).find()) {
            out.add(SOURCES.relativize(f) + ": " + line);
          }
        }
      }
    }
    return out;
  }

  static Stream<Arguments> rules() {
    return Stream.of(
        Arguments.of("output", "io\\.adit\\.cli\\.(command|client)\\.|io\\.grpc\\."),
        Arguments.of("client", "io\\.adit\\.cli\\.(command|output)\\."),
        Arguments.of("command", "io\\.adit\\.cli\\.[A-Z]|io\\.grpc\\.netty|io\\.netty"),
        // the stunnel.conf conversion is pure: no connection, no commands, no output
        Arguments.of("stunnel", "io\\.adit\\.cli\\.(command|client|output)\\.|io\\.grpc\\."),
        // everywhere: Netty only as grpc's shaded copy, and no other module's code
        Arguments.of("", "import (static )?(io\\.netty\\.|io\\.grpc\\.netty\\.[A-Z])|io\\.adit\\.(controller|agent)\\."));
  }

  @ParameterizedTest(name = "[{0}] imports nothing matching {1}")
  @MethodSource("rules")
  void keepsItsDependenciesOneWay(String dir, String forbidden) throws IOException {
    assertThat(violations(dir, Pattern.compile(forbidden))).isEmpty();
  }
}
