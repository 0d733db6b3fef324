package io.adit.cli.stunnel;

import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.cli.stunnel.StunnelConf.Location;
import io.adit.cli.stunnel.StunnelConf.Option;
import io.adit.cli.stunnel.StunnelConf.Section;
import io.adit.common.validation.HostPort;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.Names;
import io.adit.common.validation.TlsNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a parsed stunnel.conf into Adit service specs: what carries over becomes a field, what
 * Adit does differently becomes a note or a warning, what it cannot do becomes a {@link Problem}
 * with the line it came from. Reads nothing but the CA files of client sections that reach a
 * server outside the import.
 */
public final class StunnelImport {

  /** Where the imported services run: the given nodes, or every node. */
  public record Placement(List<String> nodes, boolean allNodes) {}

  /** Something said about one line: {@code stunnel.conf:4: cert: replaced by ...}. */
  public record Remark(Location at, String text) {
    @Override
    public String toString() {
      return at + ": " + text;
    }
  }

  /** An option that cannot be carried over; {@code dropsSection}: its section cannot be either. */
  public record Problem(Location at, String option, String reason, boolean dropsSection) {
    @Override
    public String toString() {
      return at + ": " + option + ": " + reason;
    }
  }

  /** One section as a service. */
  public record Converted(String section, Location at, ServiceSpec spec) {}

  /**
   * The whole conversion. {@link #services} holds every section that converts, including those
   * that only lost options listed in {@link #problems}; {@link #skipped} the sections that cannot
   * be carried over at all.
   */
  public record Result(Map<String, String> names, List<Converted> services, List<String> skipped,
      List<Remark> notes, List<Remark> warnings, List<Problem> problems) {
    public boolean convertsWhole() {
      return problems.isEmpty();
    }
  }

  /** Options that only steer stunnel's own process: said and skipped. */
  static final Set<String> PROCESS_OPTIONS = Set.of("output", "log", "debug", "pid", "foreground", "setuid", "setgid",
      "syslog", "chroot", "rndbytes", "rndfile", "rndoverwrite");

  private static final Set<String> WILDCARD = Set.of("", "0.0.0.0", "::", "*");
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1");

  private final StunnelConf conf;
  private final Placement placement;
  private final Map<String, String> names = new LinkedHashMap<>();
  private final Set<Remark> notes = new LinkedHashSet<>();
  private final Set<Remark> warnings = new LinkedHashSet<>();
  private final Set<Problem> problems = new LinkedHashSet<>();

  private StunnelImport(StunnelConf conf, Placement placement) {
    this.conf = conf;
    this.placement = placement;
  }

  public static Result convert(StunnelConf conf, Placement placement) {
    return new StunnelImport(conf, placement).run();
  }

  /** A section name as a service name: lower case, '_' → '-'; null when that is no DNS label. */
  public static String serviceName(String section) {
    String n = section.toLowerCase(Locale.ROOT).replace('_', '-');
    return Names.isDnsLabel(n) ? n : null;
  }

  private Result run() {
    List<Option> defaults = new ArrayList<>();
    for (Option o : conf.globals()) {
      if (PROCESS_OPTIONS.contains(o.name())) {
        notes.add(new Remark(o.at(), o.key() + ": steers stunnel's own process; skipped (the agent runs under"
            + " systemd and logs to its journal)"));
      } else {
        defaults.add(o);
      }
    }
    if (conf.sections().isEmpty()) {
      throw new InvalidInputException(conf.file() + " has no [section]: there is no service to import");
    }
    List<Draft> drafts = new ArrayList<>();
    for (Section s : conf.sections()) {
      drafts.add(new Draft(s, effective(defaults, s)));
    }
    drafts.forEach(this::name);
    drafts.forEach(d -> d.link(drafts));
    List<Converted> converted = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Draft d : drafts) {
      d.spec = d.convert();
      if (d.fatal) {
        skipped.add(d.section.name());
      } else {
        converted.add(new Converted(d.section.name(), d.section.at(), d.spec));
      }
    }
    // A client linked to a server that cannot be carried over has nothing to connect to.
    for (Draft d : drafts) {
      if (d.linked != null && d.linked.fatal && !d.fatal) {
        problem(d.connect.get(0).at(), "connect", "reaches [" + d.linked.section.name() + "], which cannot be carried over",
            true);
        converted.removeIf(c -> c.section().equals(d.section.name()));
        skipped.add(d.section.name());
      } else if (d.linked != null && !d.fatal && d.linked.spec.getVerify() != Verify.VERIFY_NONE) {
        warn(d.section.at(), "[" + d.linked.section.name() + "] asks for client certificates: give " + d.name
            + " an identity (aditctl identity create NAME, then aditctl service update " + d.name + " --identity NAME)");
      }
    }
    // Servers first: a client's --to must name a service that exists.
    List<Converted> ordered = new ArrayList<>(converted.stream().filter(c -> c.spec().getTo().isEmpty()).toList());
    ordered.addAll(converted.stream().filter(c -> !c.spec().getTo().isEmpty()).toList());
    return new Result(Collections.unmodifiableMap(new LinkedHashMap<>(names)), List.copyOf(ordered),
        List.copyOf(skipped), inFileOrder(notes, Remark::at), inFileOrder(warnings, Remark::at),
        inFileOrder(problems, Problem::at));
  }

  /** By file (in the order they were read), then line; what one line yields keeps its order. */
  private <T> List<T> inFileOrder(Set<T> items, Function<T, Location> at) {
    Map<Path, Integer> files = new LinkedHashMap<>();
    conf.globals().forEach(o -> files.putIfAbsent(o.at().file(), files.size()));
    conf.sections().forEach(s -> {
      files.putIfAbsent(s.at().file(), files.size());
      s.options().forEach(o -> files.putIfAbsent(o.at().file(), files.size()));
    });
    Comparator<T> byFile = Comparator.comparing(t -> files.getOrDefault(at.apply(t).file(), Integer.MAX_VALUE));
    return items.stream().sorted(byFile.thenComparingInt(t -> at.apply(t).line())).toList();
  }

  /** stunnel applies service options given before the first section to every section, unless it sets its own. */
  private static List<Option> effective(List<Option> defaults, Section s) {
    Set<String> own = new LinkedHashSet<>();
    s.options().forEach(o -> own.add(o.name()));
    List<Option> all = new ArrayList<>(defaults.stream().filter(o -> !own.contains(o.name())).toList());
    all.addAll(s.options());
    return all;
  }

  private void name(Draft d) {
    String n = serviceName(d.section.name());
    if (n == null) {
      problem(d.section.at(), "[" + d.section.name() + "]", "cannot be a service name: a service name is a DNS label"
          + " (letters, digits and '-', at most 63, starting and ending with a letter or digit); rename the section", true);
      d.fatal = true;
    } else if (names.containsValue(n)) {
      problem(d.section.at(), "[" + d.section.name() + "]", "becomes " + n + ", the name of another section; rename"
          + " one of them", true);
      d.fatal = true;
    } else {
      names.put(d.section.name(), n);
      d.name = n;
    }
  }

  private void note(Option o, String text) {
    notes.add(new Remark(o.at(), o.key() + ": " + text));
  }

  private void warn(Location at, String text) {
    warnings.add(new Remark(at, text));
  }

  private void problem(Location at, String option, String reason, boolean dropsSection) {
    problems.add(new Problem(at, option, reason, dropsSection));
  }

  /** A section on its way to a spec. */
  private final class Draft {
    final Section section;
    final List<Option> options;
    String name;
    boolean fatal;
    boolean client;
    HostPort accept;
    List<Option> connect = new ArrayList<>();
    List<HostPort> connectTo = new ArrayList<>();
    Draft linked;
    ServiceSpec spec;
    /** The checkHost or sni line that names the server. */
    Option nameAt;

    Draft(Section section, List<Option> options) {
      this.section = section;
      this.options = options;
      for (Option o : options) {
        switch (o.name()) {
          case "client" -> client = yesNo(o);
          case "accept" -> {
            if (accept != null) {
              unsupported(o, "a service listens on one address; give each accept a section of its own", true);
            } else {
              accept = address(o, false);
            }
          }
          case "connect" -> {
            connect.add(o);
            HostPort hp = address(o, true);
            if (hp != null) {
              connectTo.add(hp);
            }
          }
          default -> { }
        }
      }
    }

    void unsupported(Option o, String reason, boolean dropsSection) {
      problem(o.at(), o.key(), reason, dropsSection);
      fatal |= dropsSection;
    }

    boolean yesNo(Option o) {
      return switch (o.value().toLowerCase(Locale.ROOT)) {
        case "yes" -> true;
        case "no" -> false;
        default -> {
          unsupported(o, "'" + o.value() + "' is not yes or no", true);
          yield false;
        }
      };
    }

    HostPort address(Option o, boolean connect) {
      try {
        HostPort hp = HostPort.parse(o.key(), o.value(), false);
        // stunnel connects to localhost when connect gives only a port.
        return connect && !hp.hasHost() ? new HostPort("127.0.0.1", hp.port()) : hp;
      } catch (InvalidInputException e) {
        unsupported(o, e.getMessage(), true);
        return null;
      }
    }

    /** A client section whose every connect address is the accept of one server section here. */
    void link(List<Draft> all) {
      if (!client || connectTo.isEmpty() || connectTo.size() != connect.size()) {
        return;
      }
      for (Draft other : all) {
        if (other != this && !other.client && other.accept != null
            && connectTo.stream().allMatch(c -> reaches(c, other.accept))) {
          linked = other;
          return;
        }
      }
    }

    private static boolean reaches(HostPort connect, HostPort accept) {
      if (connect.port() != accept.port()) {
        return false;
      }
      String a = accept.host().toLowerCase(Locale.ROOT);
      String c = connect.host().toLowerCase(Locale.ROOT);
      return WILDCARD.contains(a) || a.equals(c) || (LOOPBACK.contains(a) && LOOPBACK.contains(c));
    }

    ServiceSpec convert() {
      ServiceSpec.Builder spec = ServiceSpec.newBuilder()
          .setName(name == null ? "" : name)
          .setMode(client ? Mode.MODE_CLIENT : Mode.MODE_SERVER);
      if (placement.allNodes()) {
        spec.setAllNodes(true);
      } else {
        spec.addAllNodes(placement.nodes());
      }
      if (accept == null) {
        problem(section.at(), "[" + section.name() + "]", "has no accept: Adit needs the address the relay listens on",
            true);
        fatal = true;
      } else {
        spec.setAccept(accept.toString());
        if (client && !accept.hasHost()) {
          options.stream().filter(o -> o.name().equals("accept")).findFirst().ifPresent(o -> warn(o.at(),
              "accept = " + accept + ": in client mode Adit binds a bare port on loopback only, where stunnel binds"
                  + " every address; write 0.0.0.0:" + accept.port() + " to keep that"));
        }
      }
      if (connect.isEmpty()) {
        problem(section.at(), "[" + section.name() + "]", "has no connect: Adit relays to a TCP address (exec is not"
            + " supported)", true);
        fatal = true;
      } else if (linked != null) {
        spec.setTo(linked.name == null ? "" : linked.name);
        notes.add(new Remark(connect.get(0).at(), "connect: reaches [" + linked.section.name() + "] of this import:"
            + " linked to that service (--to " + linked.name + "), trusting the cluster CA"));
      } else {
        connectTo.forEach(c -> spec.addConnect(c.toString()));
        connect.stream().filter(o -> !o.value().contains(":")).forEach(o -> note(o,
            o.value() + " is 127.0.0.1:" + o.value().strip() + " (stunnel's localhost)"));
      }
      Level level = new Level();
      String checkHost = null;
      String sni = null;
      nameAt = null;
      Option caFile = null;
      for (Option o : options) {
        switch (o.name()) {
          case "accept", "connect", "client" -> { }
          case "failover" -> {
            switch (o.value().toLowerCase(Locale.ROOT)) {
              case "prio" -> spec.setFailover("");
              case "rr" -> spec.setFailover("rr");
              default -> unsupported(o, "'" + o.value() + "' is not rr or prio", false);
            }
          }
          case "verify" -> level.verify(o);
          case "verifychain" -> level.chain = yesNo(o) ? Boolean.TRUE : Boolean.FALSE;
          case "requirecert" -> level.require = yesNo(o) ? Boolean.TRUE : Boolean.FALSE;
          case "verifypeer" -> unsupported(o, "pins the peer's own certificate; Adit trusts a CA and names"
              + " identities (--allow)", true);
          case "checkhost" -> {
            if (!client) {
              unsupported(o, "checks the host name in client certificates; Adit names the identities that may"
                  + " connect instead (--allow IDENTITY)", true);
            } else if (checkHost == null) {
              checkHost = o.value();
              nameAt = o;
            } else {
              warn(o.at(), "checkHost: Adit checks one name; the first, " + checkHost + ", is kept");
            }
          }
          case "checkemail", "checkip" -> unsupported(o, "pins an attribute of the peer's certificate; Adit trusts a"
              + " CA and names identities (--allow)", true);
          case "sni" -> {
            if (client) {
              sni = o.value();
              nameAt = nameAt == null ? o : nameAt;
            } else {
              unsupported(o, "serves several services on one port by SNI; give each its own accept", true);
            }
          }
          case "sslversion" -> tlsVersion(o, spec, true, true);
          case "sslversionmin" -> tlsVersion(o, spec, true, false);
          case "sslversionmax" -> tlsVersion(o, spec, false, true);
          case "ciphers" -> tlsList(o, () -> spec.clearTlsCiphers()
              .addAllTlsCiphers(TlsNames.ciphers("", TlsNames.split(o.value()))));
          case "ciphersuites" -> tlsList(o, () -> spec.clearTlsCiphersuites()
              .addAllTlsCiphersuites(TlsNames.ciphersuites("", TlsNames.split(o.value()))));
          case "curves" -> tlsList(o, () -> spec.clearTlsCurves()
              .addAllTlsCurves(TlsNames.curves("", TlsNames.split(o.value()))));
          case "timeoutbusy" -> seconds(o).ifPresent(s -> {
            spec.setHandshakeTimeoutSeconds(s);
            note(o, "the time to wait for the peer during the TLS handshake: --handshake-timeout " + s + "s");
          });
          case "timeoutidle" -> seconds(o).ifPresent(s -> spec.setIdleTimeoutSeconds(s));
          case "timeoutconnect" -> seconds(o).ifPresent(s -> spec.setConnectTimeoutSeconds(s));
          case "timeoutclose" -> note(o, "skipped: Adit closes without waiting for the peer's close_notify, as"
              + " TIMEOUTclose = 0 does");
          case "protocol" -> {
            if (!o.value().equalsIgnoreCase("proxy")) {
              unsupported(o, "negotiates " + o.value() + " before TLS; Adit speaks TLS from the first byte", true);
            } else if (client) {
              unsupported(o, "Adit sends the PROXY header from server-mode services only", true);
            } else {
              spec.setProxyProtocol("v1");
            }
          }
          case "cert" -> note(o, client
              ? "not read: an Adit client relay presents the certificate of an Adit identity (aditctl identity"
                  + " create NAME, then aditctl service update " + name + " --identity NAME)"
              : "not read: replaced by certificates Adit issues and renews (DNS name " + name + "; add others with"
                  + " --dns-name or --ip)");
          case "key" -> note(o, "not read: Adit makes each key on the node that uses it");
          case "cafile", "capath" -> {
            if (!client) {
              note(o, "not read: clients are checked against the cluster CA; they need Adit identities, or"
                  + " certificates from a CA imported into the controller");
            } else if (linked != null) {
              note(o, "not read: the server is an Adit service, trusted through the cluster CA");
            } else if (o.name().equals("capath")) {
              unsupported(o, "Adit stores one PEM bundle with the service: put the CA certificates in one CAfile",
                  true);
            } else {
              caFile = o;
            }
          }
          case "crlfile", "crlpath" -> {
            if (!client || linked != null) {
              note(o, "not read: Adit's revocation applies (aditctl identity revoke, aditctl cert revoke)");
            } else {
              unsupported(o, "Adit checks no CRL for a server it does not run", true);
            }
          }
          case "exec", "execargs", "pty" -> unsupported(o, "runs a program per connection; Adit relays to a TCP"
              + " address", true);
          case "engine", "engineid", "enginenum", "enginedefault", "enginectrl" -> unsupported(o, "crypto engines are"
              + " not supported: Adit makes and keeps its own keys", true);
          case "transparent" -> unsupported(o, "Adit does not spoof the client's address; use protocol = proxy to tell"
              + " the backend who connected", true);
          case "redirect" -> unsupported(o, "Adit has no second backend for refused clients", true);
          case "ocspaia", "ocsp", "ocspflag", "ocspnonce", "ocsprequire" -> unsupported(o, "Adit checks revocation"
              + " with its own list, not OCSP", true);
          case "pskidentity", "pskidentities", "pskfile", "pskkeyfile", "pskkeys" -> unsupported(o, "pre-shared keys are"
              + " not supported: Adit authenticates with certificates", true);
          default -> {
            if (PROCESS_OPTIONS.contains(o.name())) {
              note(o, "steers stunnel's own process; skipped");
            } else {
              unsupported(o, "Adit has no equivalent", false);
            }
          }
        }
      }
      level.apply(spec);
      if (client) {
        clientTrust(spec, checkHost, sni, caFile, level);
      }
      return spec.build();
    }

    private void clientTrust(ServiceSpec.Builder spec, String checkHost, String sni, Option caFile, Level level) {
      if (!level.verifies()) {
        warn(section.at(), "[" + section.name() + "] client = yes " + level.described() + ": Adit's client relay"
            + " always verifies the server's certificate and name");
      }
      if (linked != null) {
        if (checkHost != null || sni != null) {
          note(nameAt, "not needed: the server's certificate is Adit's, named " + linked.name
              + ", and that name is checked");
        }
        return;
      }
      String serverName = checkHost != null ? checkHost : sni;
      if (checkHost != null && sni != null && !sni.equals(checkHost)) {
        warn(section.at(), "sni " + sni + " differs from checkHost " + checkHost + ": Adit sends and checks one name, "
            + checkHost);
      }
      if (serverName == null) {
        problem(section.at(), "[" + section.name() + "]", "client = yes without checkHost or sni: Adit checks the"
            + " server's name, so give checkHost = NAME (a name in the server's certificate)", true);
        fatal = true;
      } else {
        spec.setServerName(serverName.toLowerCase(Locale.ROOT));
      }
      if (caFile == null) {
        problem(section.at(), "[" + section.name() + "]", "client = yes without CAfile: Adit verifies the server, so"
            + " give CAfile = the CA that issued the server's certificate", true);
        fatal = true;
        return;
      }
      Path file = caFile.at().file().toAbsolutePath().getParent().resolve(caFile.value());
      try {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
          unsupported(caFile, file + " holds no PEM certificate", true);
          return;
        }
        spec.setTrustCaPem(pem);
        note(caFile, "read and stored with the service (--trust-ca)");
      } catch (IOException e) {
        unsupported(caFile, "cannot read " + file + " (" + e.getMessage() + ")", true);
      }
    }

    /** Carries a list of suites or groups, or says why it cannot (the service keeps Adit's defaults). */
    private void tlsList(Option o, Runnable set) {
      try {
        set.run();
      } catch (InvalidInputException e) {
        unsupported(o, e.getMessage() + " (without it, the service keeps Adit's default)", false);
      }
    }

    private void tlsVersion(Option o, ServiceSpec.Builder spec, boolean min, boolean max) {
      String v = o.value().toLowerCase(Locale.ROOT);
      switch (v) {
        case "tlsv1.3" -> {
          if (min) {
            spec.setTlsMinVersion("1.3");
          } else {
            note(o, "TLS 1.3 is the highest version Adit speaks");
          }
        }
        case "tlsv1.2" -> {
          if (min) {
            spec.setTlsMinVersion("1.2");
          }
          if (max) {
            warn(o.at(), o.key() + " = " + o.value() + ": Adit also offers TLS 1.3, which peers that speak it will"
                + " choose; a maximum below 1.3 is not supported");
          }
        }
        case "all" -> warn(o.at(), o.key() + " = all: Adit speaks TLS 1.2 and 1.3 only");
        case "tlsv1", "tlsv1.1", "sslv3", "sslv2" -> {
          if (max) {
            unsupported(o, "Adit speaks TLS 1.2 and 1.3 only", true);
          } else {
            spec.setTlsMinVersion("1.2");
            warn(o.at(), o.key() + " = " + o.value() + ": raised to TLSv1.2, Adit's lowest; peers that speak"
                + " only older versions are refused");
          }
        }
        default -> unsupported(o, "'" + o.value() + "' is not a TLS version (TLSv1.2, TLSv1.3)", true);
      }
    }

    private java.util.Optional<Long> seconds(Option o) {
      if (!o.value().matches("[0-9]{1,9}") || Long.parseLong(o.value()) == 0) {
        unsupported(o, "'" + o.value() + "' is not a positive number of seconds", false);
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(Long.parseLong(o.value()));
    }

    /** verify, or verifyChain/requireCert, as Adit's --verify. */
    private final class Level {
      Option verify;
      Integer level;
      Boolean chain;
      Boolean require;

      void verify(Option o) {
        verify = o;
        switch (o.value()) {
          case "0", "1", "2" -> level = Integer.parseInt(o.value());
          case "3", "4" -> unsupported(o, "verify = " + o.value() + " pins the peer's own certificate; Adit trusts a"
              + " CA and names identities (--allow)", true);
          default -> unsupported(o, "'" + o.value() + "' is not a verify level (0 to 4)", true);
        }
      }

      /** stunnel 5: verify = 1 is verifyChain; verify = 2 adds requireCert. */
      Verify adit() {
        if (level != null) {
          return switch (level) {
            case 0 -> Verify.VERIFY_NONE;
            case 1 -> Verify.VERIFY_OPTIONAL;
            default -> Verify.VERIFY_REQUIRE;
          };
        }
        if (Boolean.TRUE.equals(require)) {
          return Verify.VERIFY_REQUIRE;
        }
        return Boolean.TRUE.equals(chain) ? Verify.VERIFY_OPTIONAL : Verify.VERIFY_NONE;
      }

      boolean verifies() {
        return adit() == Verify.VERIFY_REQUIRE;
      }

      String described() {
        if (verify != null) {
          return "with verify = " + verify.value();
        }
        return chain == null && require == null ? "without verify" : "with verifyChain/requireCert";
      }

      void apply(ServiceSpec.Builder spec) {
        if (client) {
          return;
        }
        spec.setVerify(adit());
        if (verify == null && chain == null && require == null) {
          warn(section.at(), "[" + section.name() + "] has no verify: stunnel's default, no client certificate"
              + " checked, becomes --verify none; add verify = 2 (or later aditctl service update " + name
              + " --verify require) to require Adit identities");
        }
      }
    }
  }
}
