package io.adit.common.daemon;

import io.adit.common.daemon.YamlEntries.Entry;
import io.adit.common.daemon.YamlEntries.MapValue;
import io.adit.common.daemon.YamlEntries.Null;
import io.adit.common.daemon.YamlEntries.Scalar;
import io.adit.common.daemon.YamlEntries.Seq;
import io.adit.common.daemon.YamlEntries.Value;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.Suggest;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code --config FILE}: a YAML file whose keys are a command's long option names without the
 * dashes ({@code listen: 0.0.0.0:7443} is {@code --listen 0.0.0.0:7443}); an option that takes
 * several values takes a list, a {@code KEY=VALUE} option a map, a flag {@code true} or
 * {@code false}. It works on picocli's model of the command, so every option, present and
 * future, can be set this way with nothing to add.
 *
 * <p>The file becomes command-line arguments placed before the real ones, for the options the
 * command line does not give: a flag overrides the file's key, and a list given as flags
 * replaces the file's list. Picocli then parses and converts the whole, so a value means the
 * same in either place, and {@link #explain} names the file, line and key in any error about a
 * value that came from the file.
 */
public final class ConfigFile {
  /** The option that names the file. */
  public static final String OPTION = "--config";

  private final String where;
  /** For each option whose value came from the file: its longest name ("--listen") and line. */
  private final Map<String, Integer> fromFile;
  private final List<String> args;

  private ConfigFile(String where, Map<String, Integer> fromFile, List<String> args) {
    this.where = where;
    this.fromFile = fromFile;
    this.args = args;
  }

  /**
   * Reads the file {@code --config} names in {@code args}, if any, and checks every key against
   * {@code spec}'s options.
   *
   * @throws InvalidInputException one sentence naming the file, the line and the key: the file
   *     cannot be read, is not YAML, has an unknown key, or a value of the wrong shape
   */
  public static ConfigFile load(CommandSpec spec, String[] args) {
    Optional<ParseResult> given = probe(spec, args);
    if (given.isEmpty() || spec.findOption(OPTION) == null || !given.get().hasMatchedOption(OPTION)
        || given.get().isUsageHelpRequested() || given.get().isVersionHelpRequested()) {
      return new ConfigFile(null, Map.of(), List.of(args));
    }
    Path path = given.get().matchedOptionValue(OPTION, (Path) null);
    String where = String.valueOf(path);
    List<Entry> entries = YamlEntries.read(where, read(path));
    Map<String, Integer> fromFile = new LinkedHashMap<>();
    List<String> merged = new ArrayList<>();
    for (Entry e : entries) {
      OptionSpec option = option(spec, where, e);
      List<String> values = values(where, e, option);
      if (given.get().hasMatchedOption(option.longestName())) {
        continue; // the command line overrides the file
      }
      fromFile.put(option.longestName(), e.line());
      for (String v : values) {
        merged.add(v == null ? option.longestName() : option.longestName() + "=" + v);
      }
    }
    merged.addAll(Arrays.asList(args));
    return new ConfigFile(where, fromFile, merged);
  }

  /** No file: the arguments as they are. */
  public static ConfigFile none(String[] args) {
    return new ConfigFile(null, Map.of(), List.of(args));
  }

  /** The arguments to parse: the file's options first, then the command line's. */
  public String[] args() {
    return args.toArray(String[]::new);
  }

  /** The file as the user named it, if one was given. */
  public Optional<String> file() {
    return Optional.ofNullable(where);
  }

  /** Whether {@code longName} ("--listen") got its value from the file. */
  public boolean fromFile(String longName) {
    return fromFile.containsKey(longName);
  }

  /**
   * An error message about options, rewritten for the ones whose value came from the file:
   * {@code "--listen 'x' is not valid"} becomes {@code "controller.yaml line 3: listen: 'x' is
   * not valid"}. Others are left as they are.
   */
  public String explain(String message) {
    if (where == null || message == null) {
      return message;
    }
    List<String> mentioned = new ArrayList<>();
    for (String name : fromFile.keySet()) {
      if (mention(name).matcher(message).find()) {
        mentioned.add(name);
      }
    }
    if (mentioned.isEmpty()) {
      return message;
    }
    mentioned.sort(Comparator.comparingInt(n -> firstIndex(message, n)));
    String text = message;
    for (String name : mentioned) {
      text = mention(name).matcher(text).replaceAll(Matcher.quoteReplacement(key(name)));
    }
    String first = key(mentioned.get(0));
    if (text.startsWith(first + " '")) {
      text = first + ":" + text.substring(first.length());
    }
    StringBuilder b = new StringBuilder(where).append(" line ").append(fromFile.get(mentioned.get(0))).append(": ")
        .append(text);
    for (String other : mentioned.subList(1, mentioned.size())) {
      b.append(" (").append(key(other)).append(": line ").append(fromFile.get(other)).append(')');
    }
    return b.toString();
  }

  // ---- reading the file -----------------------------------------------------------------

  private static String read(Path path) {
    try {
      return new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("config file " + path + " does not exist");
    } catch (AccessDeniedException e) {
      throw new InvalidInputException("config file " + path + " cannot be read: permission denied");
    } catch (IOException e) {
      String why = e instanceof CharacterCodingException ? "not UTF-8 text" : String.valueOf(e.getMessage());
      throw new InvalidInputException("config file " + path + " cannot be read: " + why);
    }
  }

  private static OptionSpec option(CommandSpec spec, String where, Entry e) {
    String key = e.key();
    String at = where + " line " + e.line() + ": ";
    if (key.startsWith("-")) {
      String bare = key.replaceFirst("^-+", "");
      throw new InvalidInputException(at + "write the key without dashes: " + bare + ", not " + key);
    }
    OptionSpec o = spec.findOption("--" + key);
    if (o == null || !o.longestName().equals("--" + key)) {
      throw new InvalidInputException(at + "unknown key " + key + closest(spec, key));
    }
    if (o.usageHelp() || o.versionHelp() || o.longestName().equals(OPTION)) {
      throw new InvalidInputException(at + key + " cannot be set in a config file");
    }
    return o;
  }

  /**
   * The values of one entry, checked against the option's shape; null for a flag that is on.
   */
  private static List<String> values(String where, Entry e, OptionSpec o) {
    String at = where + " line " + e.line() + ": " + e.key();
    Value v = e.value();
    if (v instanceof Null) {
      throw new InvalidInputException(at + " has no value: give one, or remove the line to keep the default");
    }
    List<String> out = new ArrayList<>();
    if (o.arity().max() == 0) { // a flag
      String text = v instanceof Scalar s ? s.text().toLowerCase(java.util.Locale.ROOT) : "";
      if (!text.equals("true") && !text.equals("false")) {
        throw new InvalidInputException(at + " is a flag: write true or false, not " + describe(v));
      }
      if (text.equals("true")) {
        out.add(null);
      }
      return out;
    }
    if (o.typeInfo().isMap()) {
      if (!(v instanceof MapValue m)) {
        throw new InvalidInputException(at + " takes a map of NAME: VALUE lines, not " + describe(v));
      }
      m.entries().forEach((name, value) -> {
        if (!(value instanceof Scalar s)) {
          throw new InvalidInputException(where + " line " + value.line() + ": " + e.key() + "." + name
              + " takes one value, not " + describe(value));
        }
        out.add(name + "=" + s.text());
      });
      return out;
    }
    if (o.isMultiValue() && v instanceof Seq seq) {
      int i = 0;
      for (Value item : seq.items()) {
        i++;
        if (!(item instanceof Scalar s)) {
          throw new InvalidInputException(where + " line " + item.line() + ": " + e.key() + " item " + i
              + " must be a plain value, not " + describe(item));
        }
        out.add(s.text());
      }
      return out;
    }
    if (!(v instanceof Scalar s)) {
      throw new InvalidInputException(at + " takes one value, not " + describe(v));
    }
    out.add(s.text());
    return out;
  }

  private static String describe(Value v) {
    return v instanceof Scalar s ? "'" + s.text() + "'" : v.kind();
  }

  /** " (did you mean listen?)" for a near miss, else where to find the keys. */
  private static String closest(CommandSpec spec, String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (OptionSpec o : spec.options()) {
      if (o.usageHelp() || o.versionHelp() || !o.longestName().startsWith("--")) {
        continue;
      }
      String candidate = o.longestName().substring(2);
      int d = Suggest.distance(key, candidate);
      if (d < bestDistance || (d == bestDistance && candidate.compareTo(best) < 0)) {
        best = candidate;
        bestDistance = d;
      }
    }
    if (best != null && (bestDistance <= Math.max(2, key.length() / 3) || best.startsWith(key) || key.startsWith(best))) {
      return " (did you mean " + best + "?)";
    }
    return ": the keys are the long options of " + spec.name() + " --help, without the dashes";
  }

  // ---- what the command line gives ------------------------------------------------------

  /**
   * Parses {@code args} with a copy of {@code spec} in which nothing is required and unknown
   * arguments are allowed, bound to throwaway values: which options does the command line give,
   * and which file does it name? Empty when the command line itself is bad: the real parse then
   * reports that first.
   */
  private static Optional<ParseResult> probe(CommandSpec spec, String[] args) {
    CommandSpec copy = CommandSpec.create();
    copy.name(spec.name());
    for (OptionSpec o : spec.options()) {
      Binding b = new Binding();
      copy.addOption(OptionSpec.builder(o).required(false).initialValue(null).hasInitialValue(false)
          .getter(b).setter(b).build());
    }
    CommandLine cl = new CommandLine(copy);
    cl.setUnmatchedArgumentsAllowed(true);
    try {
      return Optional.of(cl.parseArgs(args));
    } catch (ParameterException e) {
      return Optional.empty();
    }
  }

  private static Pattern mention(String longName) {
    return Pattern.compile("(?<![A-Za-z0-9-])" + Pattern.quote(longName) + "(?![A-Za-z0-9-])");
  }

  private static int firstIndex(String message, String longName) {
    Matcher m = mention(longName).matcher(message);
    return m.find() ? m.start() : Integer.MAX_VALUE;
  }

  private static String key(String longName) {
    return longName.substring(2);
  }

  /** A value holder for the probe, so it never touches the command's own fields. */
  private static final class Binding implements IGetter, ISetter {
    private Object value;

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() {
      return (T) value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T set(T v) {
      T old = (T) value;
      value = v;
      return old;
    }
  }

  /** Keys of a command's options, for tests and the examples' check. */
  public static Set<String> keys(CommandSpec spec) {
    Set<String> keys = new HashSet<>();
    for (OptionSpec o : spec.options()) {
      if (!o.usageHelp() && !o.versionHelp() && !o.longestName().equals(OPTION) && o.longestName().startsWith("--")) {
        keys.add(key(o.longestName()));
      }
    }
    return keys;
  }
}
