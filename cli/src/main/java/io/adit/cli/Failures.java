package io.adit.cli;

import io.adit.cli.client.Target;
import io.adit.cli.command.CliException;
import io.adit.cli.command.ExitCode;
import io.adit.common.config.ConfigException;
import io.adit.common.validation.InvalidInputException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * The one place where a failure becomes what the user sees: an exit code and one sentence that
 * names what failed and what to do. gRPC statuses from the controller carry messages written
 * for users and are passed through; transport failures (refused connections, TLS) are
 * translated, because grpc's own words ("io exception", "PKIX path building failed") are not.
 */
public final class Failures {
  /** Alerts a TLS server sends when it refuses the client's certificate. */
  private static final Pattern REFUSED_CERT = Pattern.compile(
      "(bad_certificate|certificate_unknown|unknown_ca|certificate_revoked|certificate_expired"
          + "|certificate_required|access_denied|unsupported_certificate)");
  /** Descriptions grpc itself gives to transport failures; anything else came from the server. */
  private static final Pattern TRANSPORT = Pattern.compile(
      "(?i)(io exception|network closed|connection closed|keepalive|goaway|unable to resolve|cannot resolve"
          + "|channel shutdown|connection refused|first received frame|ssl|tls|handshake|unexpected eof)");

  private Failures() {}

  /** What the user sees. */
  public record Failure(ExitCode exitCode, String message) {}

  public static Failure describe(Throwable t, Optional<Target> target) {
    if (t instanceof CliException e) {
      return new Failure(e.exitCode(), e.getMessage());
    }
    if (t instanceof ConfigException e) {
      return new Failure(ExitCode.CONFIG, e.getMessage());
    }
    if (t instanceof InvalidInputException e) {
      return new Failure(ExitCode.USAGE, e.getMessage());
    }
    if (t instanceof StatusRuntimeException e) {
      return status(e.getStatus(), target);
    }
    if (t instanceof StatusException e) {
      return status(e.getStatus(), target);
    }
    return new Failure(ExitCode.FAILURE, "unexpected error: " + t + " (rerun with --verbose for the stack trace)");
  }

  static Failure status(Status s, Optional<Target> target) {
    String description = s.getDescription() == null || s.getDescription().isBlank() ? null : s.getDescription();
    String where = target.map(Target::endpointList).filter(e -> !e.isEmpty()).orElse("the configured address");
    String said = description != null ? description
        : "the controller answered " + s.getCode().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    return switch (s.getCode()) {
      case OK -> new Failure(ExitCode.OK, "");
      case INVALID_ARGUMENT, OUT_OF_RANGE -> new Failure(ExitCode.USAGE, said);
      case NOT_FOUND -> new Failure(ExitCode.NOT_FOUND, said);
      case ALREADY_EXISTS, ABORTED, FAILED_PRECONDITION -> new Failure(ExitCode.CONFLICT, said);
      case PERMISSION_DENIED, UNAUTHENTICATED -> new Failure(ExitCode.DENIED, description != null ? description
          : "the controller refused the credential in " + configFile(target) + ": use an admin credential");
      case DEADLINE_EXCEEDED -> new Failure(ExitCode.UNAVAILABLE, "the controller at " + where
          + " did not answer in time: check that it and etcd are healthy, or give a longer --timeout");
      case UNIMPLEMENTED -> new Failure(ExitCode.FAILURE, "the controller at " + where
          + " does not know this call: is it older than this aditctl?");
      case UNAVAILABLE -> unavailable(s, description, where, target);
      default -> new Failure(ExitCode.FAILURE, said);
    };
  }

  private static Failure unavailable(Status s, String description, String where, Optional<Target> target) {
    Throwable cause = s.getCause();
    SSLException tls = find(cause, SSLException.class);
    if (tls != null) {
      return tls(tls, where, target);
    }
    if (cause == null && description != null && !TRANSPORT.matcher(description).find()) {
      return new Failure(ExitCode.UNAVAILABLE, description); // the controller explains, e.g. etcd is down
    }
    if (description != null && description.contains("TLS negotiation")) {
      return new Failure(ExitCode.UNAVAILABLE, "the server at " + where + " closed the connection during the TLS"
          + " handshake: is adit-controller listening there?");
    }
    String why = cause != null && rootMessage(cause) != null ? rootMessage(cause)
        : description != null ? description : "no reason given";
    return new Failure(ExitCode.UNAVAILABLE, "cannot reach the controller at " + where + " (" + why
        + "): is adit-controller running?");
  }

  private static Failure tls(SSLException e, String where, Optional<Target> target) {
    String text = chainText(e);
    if (find(e, CertPathBuilderException.class) != null || find(e, CertPathValidatorException.class) != null
        || text.contains("PKIX path") || text.contains("unable to find valid certification path")) {
      return new Failure(ExitCode.CONFIG, "the controller's certificate is not signed by the CA in "
          + configFile(target) + ": is the config from another cluster?");
    }
    if (text.contains("No subject alternative") || text.contains("No name matching")) {
      return new Failure(ExitCode.CONFIG, "the controller's certificate does not name the address " + where
          + " used to reach it: list in " + configFile(target) + " an address the controller advertises");
    }
    Matcher refused = REFUSED_CERT.matcher(text);
    if (refused.find()) {
      return new Failure(ExitCode.DENIED, "the controller refused the certificate in " + configFile(target)
          + " (" + refused.group(1) + "): it may be revoked or from another cluster; get a fresh credential");
    }
    if (text.contains("not an SSL/TLS record")) {
      return new Failure(ExitCode.UNAVAILABLE, "the server at " + where + " does not speak TLS: is it adit-controller?");
    }
    String why = rootMessage(e) == null ? e.getClass().getSimpleName() : rootMessage(e);
    return new Failure(ExitCode.UNAVAILABLE, "TLS with the controller at " + where + " failed (" + why
        + "): check that " + configFile(target) + " belongs to this cluster");
  }

  private static String configFile(Optional<Target> target) {
    return target.map(t -> t.configFile().toString()).orElse("the config file");
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }

  private static String chainText(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      b.append(c.getMessage()).append('\n');
    }
    return b.toString();
  }

  /** The innermost cause's message; null when it has none (Netty's stackless exceptions). */
  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null || m.isBlank() ? null : m;
  }
}
