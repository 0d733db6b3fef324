package io.adit.cli.stunnel;

import io.adit.common.validation.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A stunnel.conf as stunnel reads it: global options, then {@code [sections]}; a line is
 * {@code option = value}, a comment starting with {@code ;} or {@code #}, or blank;
 * {@code include = DIR} reads every file in DIR, in name order, in its place. Every option keeps
 * the file and line it came from, so that whatever is said about it can point there.
 */
public record StunnelConf(Path file, List<Option> globals, List<Section> sections) {

  /** Where an option or a section header was written. */
  public record Location(Path file, int line) {
    @Override
    public String toString() {
      return file.getFileName() + ":" + line;
    }
  }

  /** One {@code key = value} line; {@link #name} is the key in lower case (stunnel ignores case). */
  public record Option(String key, String value, Location at) {
    public String name() {
      return key.toLowerCase(Locale.ROOT);
    }
  }

  /** A {@code [name]} section: one stunnel service. */
  public record Section(String name, Location at, List<Option> options) {}

  /** Reads and parses {@code file} and whatever it includes. */
  public static StunnelConf read(Path file) {
    Builder b = new Builder();
    b.readFile(file, 0);
    return new StunnelConf(file, List.copyOf(b.globals), b.sections.stream()
        .map(s -> new Section(s.name(), s.at(), List.copyOf(s.options()))).toList());
  }

  private static final class Builder {
    private static final int MAX_INCLUDE_DEPTH = 8;
    final List<Option> globals = new ArrayList<>();
    final List<Section> sections = new ArrayList<>();
    Section current;

    void readFile(Path file, int depth) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new InvalidInputException(file + ": no such file");
      } catch (IOException e) {
        throw new InvalidInputException(file + ": cannot read it (" + e.getMessage() + ")");
      }
      for (int i = 0; i < lines.size(); i++) {
        parseLine(lines.get(i), new Location(file, i + 1), depth);
      }
    }

    void parseLine(String raw, Location at, int depth) {
      String line = raw.strip();
      if (at.line() == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1).strip();
      }
      if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) {
        return;
      }
      if (line.startsWith("[")) {
        if (!line.endsWith("]") || line.length() < 3) {
          throw new InvalidInputException(at + ": '" + line + "' is not a section header: write [NAME]");
        }
        current = new Section(line.substring(1, line.length() - 1).strip(), at, new ArrayList<>());
        sections.add(current);
        return;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new InvalidInputException(at + ": '" + line + "' is neither an option (NAME = VALUE), a [section]"
            + " nor a comment (; or #)");
      }
      Option option = new Option(line.substring(0, eq).strip(), line.substring(eq + 1).strip(), at);
      if (option.name().equals("include")) {
        include(option, depth);
      } else if (current == null) {
        globals.add(option);
      } else {
        current.options().add(option);
      }
    }

    /** stunnel's include: every regular file of the directory, sorted by name. */
    void include(Option option, int depth) {
      if (depth >= MAX_INCLUDE_DEPTH) {
        throw new InvalidInputException(option.at() + ": include nested more than " + MAX_INCLUDE_DEPTH
            + " deep (does a directory include itself?)");
      }
      Path dir = option.at().file().toAbsolutePath().getParent().resolve(option.value());
      if (!Files.isDirectory(dir)) {
        throw new InvalidInputException(option.at() + ": include " + option.value() + ": no such directory");
      }
      List<Path> files;
      try (Stream<Path> list = Files.list(dir)) {
        files = list.filter(Files::isRegularFile).sorted().toList();
      } catch (IOException e) {
        throw new InvalidInputException(option.at() + ": include " + option.value() + ": cannot list it ("
            + e.getMessage() + ")");
      }
      for (Path f : files) {
        readFile(f, depth + 1);
      }
    }
  }
}
