package io.adit.common.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.adit.common.validation.InvalidInputException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The daemons' log settings, applied to logback after the flags are parsed: the format of the
 * lines on stderr and the levels. logback.xml keeps the defaults (plain text, INFO, or
 * {@code $ADIT_LOG_LEVEL}); only logback is supported, the binding the daemons ship.
 */
public final class Logging {
  /** How a line is written. */
  public enum Format {
    /** One human-readable line per event: time, level, thread, class, message. */
    TEXT,
    /**
     * One JSON object per line: {@code @timestamp}, {@code level}, {@code logger_name},
     * {@code thread_name}, {@code message}, {@code stack_trace}, and each key-value pair logged
     * with the event (SLF4J's {@code addKeyValue}) as a field of its own.
     */
    JSON
  }

  private static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace", "off");

  private Logging() {}

  /** Parses {@code --log-format}. */
  public static Format format(String text) {
    String t = text == null ? "text" : text.trim().toLowerCase(Locale.ROOT);
    return switch (t) {
      case "text" -> Format.TEXT;
      case "json" -> Format.JSON;
      default -> throw new InvalidInputException("--log-format '" + text + "' is not a log format: use text or json");
    };
  }

  /** Parses a level; empty for null. {@code what} names the option in the error. */
  public static Optional<Level> level(String what, String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("warning")) {
      t = "warn";
    }
    if (!LEVELS.contains(t)) {
      throw new InvalidInputException(what + " '" + text + "' is not a log level: use " + String.join(", ", LEVELS));
    }
    return Optional.of(Level.toLevel(t));
  }

  /**
   * Applies the settings: every console or stream appender of the root logger gets the encoder
   * of {@code format}; {@code root} sets the root level; {@code levels} sets named loggers.
   * Does nothing when SLF4J is not bound to logback (a test or embedding with another backend).
   */
  public static void configure(Format format, Optional<Level> root, Map<String, Level> levels) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return;
    }
    Logger rootLogger = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.ifPresent(rootLogger::setLevel);
    levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
    if (format == Format.JSON) {
      List<OutputStreamAppender<ILoggingEvent>> streams = new ArrayList<>();
      for (Iterator<Appender<ILoggingEvent>> it = rootLogger.iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof OutputStreamAppender<ILoggingEvent> s) {
          streams.add(s);
        }
      }
      for (OutputStreamAppender<ILoggingEvent> s : streams) {
        // Restarting the appender opens its target (stderr) again with the new encoder.
        s.stop();
        s.setEncoder(jsonEncoder(context));
        s.start();
      }
    }
  }

  /** The JSON lines encoder, started; public so tests can attach it to an appender of their own. */
  public static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
    LogstashEncoder e = new LogstashEncoder();
    e.setContext(context);
    // Fields nobody reads: logstash's schema version and the numeric level.
    e.getFieldNames().setVersion("[ignore]");
    e.getFieldNames().setLevelValue("[ignore]");
    e.start();
    return e;
  }
}
