package io.adit.common.daemon;

import io.adit.common.validation.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
    throw new InvalidInputException("--log-level-for '" + component + "' is not a component: use one of "
        + String.join(", ", names) + ", or a full logger name such as io.netty");
  }
}
