package io.adit.common.daemon;

import io.adit.common.validation.InvalidInputException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The parts of a daemon whose log level can be set by a short name: the packages under its base
 * package ({@code relay} is {@code io.adit.agent.relay}). A name with a dot is a logger name as
 * it is ({@code io.netty}, {@code io.adit.agent.relay.Connection}).
 */
public record LogComponents(String basePackage, List<String> names) {
  private static final Pattern LOGGER_NAME = Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)+");

  public LogComponents {
    names = List.copyOf(names);
  }

  /**
   * The packages right under {@code main}'s own, found where {@code main} was loaded from (the
   * jar, or the classes directory), so a package added later is a component with nothing to
   * list. If that place cannot be read, only full logger names are accepted.
   */
  public static LogComponents of(Class<?> main) {
    String base = main.getPackageName();
    String prefix = base.replace('.', '/') + "/";
    Set<String> names = new TreeSet<>();
    try {
      Path where = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(where)) {
        try (Stream<Path> dirs = Files.list(where.resolve(prefix))) {
          dirs.filter(Files::isDirectory).forEach(d -> names.add(d.getFileName().toString()));
        }
      } else {
        try (JarFile jar = new JarFile(where.toFile())) {
          jar.stream().map(JarEntry::getName)
              .filter(n -> n.startsWith(prefix) && n.endsWith(".class") && n.indexOf('/', prefix.length()) > 0)
              .forEach(n -> names.add(n.substring(prefix.length(), n.indexOf('/', prefix.length()))));
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      // No list: full logger names still work.
    }
    return new LogComponents(base, List.copyOf(names));
  }

  /** Logger name → level (as written), checked; the key named in errors is --log-level-for. */
  Map<String, ch.qos.logback.classic.Level> levels(Map<String, String> byComponent) {
    Map<String, ch.qos.logback.classic.Level> out = new LinkedHashMap<>();
    byComponent.forEach((component, level) -> {
      String what = "--log-level-for " + component;
      if (level == null || level.isBlank()) {
        throw new InvalidInputException(what + " has no level: write " + component + "=debug (or error, warn, info, trace)");
      }
      out.put(logger(component), Logging.level(what, level).orElseThrow());
    });
    return out;
  }

  /** The logger a component name stands for. */
  String logger(String component) {
    if (names.contains(component)) {
      return basePackage + "." + component;
    }
    if (LOGGER_NAME.matcher(component).matches()) {
      return component;
    }
    throw new InvalidInputException("--log-level-for '" + component + "' is not a component: use "
        + (names.isEmpty() ? "" : "one of " + String.join(", ", names) + ", or ") + "a full logger name such as io.netty");
  }
}
