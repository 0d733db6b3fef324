package io.adit.common.daemon;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.adit.common.validation.InvalidInputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A config file's top-level {@code key: value} entries with the line each starts on. Values keep
 * the text as written ({@code 1:30} stays "1:30", not YAML 1.1's sexagesimal 90), since every
 * value ends up as a command-line argument.
 */
final class YamlEntries {
  private YamlEntries() {}

  /** A value as written: a scalar's text, a list or a map of values, or null (nothing written). */
  sealed interface Value permits Scalar, Seq, MapValue, Null {
    int line();

    /** What the value is, for "takes one value, not a list". */
    String kind();
  }

  record Scalar(String text, int line) implements Value {
    @Override
    public String kind() {
      return "a plain value";
    }
  }

  record Seq(List<Value> items, int line) implements Value {
    @Override
    public String kind() {
      return "a list";
    }
  }

  record MapValue(Map<String, Value> entries, int line) implements Value {
    @Override
    public String kind() {
      return "a map";
    }
  }

  record Null(int line) implements Value {
    @Override
    public String kind() {
      return "nothing";
    }
  }

  record Entry(String key, Value value, int line) {}

  /**
   * Reads the entries of a YAML document whose top level is a map.
   *
   * @param where the file, as error messages name it
   * @throws InvalidInputException for bad YAML, a top level that is not a map, or a key given twice
   */
  static List<Entry> read(String where, String text) {
    List<Entry> entries = new ArrayList<>();
    try (JsonParser p = new YAMLFactory().createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return entries; // empty, or only comments
      }
      if (t != JsonToken.START_OBJECT) {
        throw new InvalidInputException(where + " line " + line(p) + ": expected KEY: VALUE lines (such as"
            + " 'data-dir: /var/lib/adit'), not " + read(p).kind());
      }
      Map<String, Integer> seen = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        int line = line(p);
        Integer before = seen.putIfAbsent(key, line);
        if (before != null) {
          throw new InvalidInputException(where + " line " + line + ": " + key + " is set twice (also on line " + before
              + "): keep one");
        }
        p.nextToken();
        entries.add(new Entry(key, read(p), line));
      }
      return entries;
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(where + " is not valid YAML: " + describe(e));
    } catch (IOException e) {
      throw new InvalidInputException(where + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  private static Value read(JsonParser p) throws IOException {
    int line = line(p);
    JsonToken t = p.currentToken();
    switch (t) {
      case START_ARRAY -> {
        List<Value> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(p));
        }
        return new Seq(items, line);
      }
      case START_OBJECT -> {
        Map<String, Value> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          map.put(key, read(p));
        }
        return new MapValue(map, line);
      }
      case VALUE_NULL -> {
        return new Null(line);
      }
      default -> {
        return new Scalar(p.getText(), line);
      }
    }
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  /** SnakeYAML's problem and line, in one sentence (its own message spans lines, with a caret). */
  private static String describe(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblem() != null) {
      String at = m.getProblemMark() == null ? "" : "line " + (m.getProblemMark().getLine() + 1) + ": ";
      String context = m.getContext() == null ? "" : " (" + m.getContext() + ")";
      return at + m.getProblem() + context;
    }
    String at = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? "" : "line " + e.getLocation().getLineNr() + ": ";
    return at + e.getOriginalMessage().lines().findFirst().orElse("");
  }
}
