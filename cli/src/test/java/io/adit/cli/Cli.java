package io.adit.cli;

import io.adit.common.config.ClientConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs {@code aditctl} in-process against a {@link FakeController} and captures what it printed. */
public final class Cli {
  public static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  public final FakeController controller = new FakeController();
  public final Map<String, String> env = new HashMap<>();
  /** Every (config file, timeout) the commands connected with. */
  public final List<Object[]> connections = new ArrayList<>();
  public Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  /** Whether the commands are told that stdout is a terminal. */
  public boolean stdoutIsTerminal;

  /** A CLI whose $ADIT_CONFIG names a readable config in {@code dir}. */
  public Cli(Path dir) {
    env.put("ADIT_CONFIG", writeConfig(dir.resolve("env.conf"), "from-env:7443").toString());
    env.put("HOME", dir.resolve("home").toString());
  }

  /** A syntactically valid config; the fake connection does not use its credential. */
  public static Path writeConfig(Path file, String controller) {
    try {
      ClientConfig.of(List.of(controller), "adit.local", "admin", "ca", "cert", "key").write(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  public Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = AditCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, clock,
        (config, file, timeout, verbose) -> {
          connections.add(new Object[] {config, file, timeout});
          controller.configFile = file;
          return controller;
        }, stdoutIsTerminal);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
        out.toByteArray());
  }

  public ClientConfig lastConfig() {
    return (ClientConfig) connections.get(connections.size() - 1)[0];
  }

  public Duration lastTimeout() {
    return (Duration) connections.get(connections.size() - 1)[2];
  }

  /** What a run printed; {@code outBytes} is stdout exactly as written, for binary output. */
  public record Result(int exitCode, String out, String err, byte[] outBytes) {}
}
