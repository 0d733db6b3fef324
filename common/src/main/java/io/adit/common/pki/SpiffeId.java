package io.adit.common.pki;

import java.net.URI;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The identity every Adit certificate carries as its URI SAN:
 * {@code spiffe://<trust-domain>/<kind>/<name>}. Roles on the control plane come from the kind.
 */
public record SpiffeId(String trustDomain, Kind kind, String name) {

  /** What a certificate is for; the lower-case form is the path segment in the URI. */
  public enum Kind {
    ADMIN, NODE, SERVICE, CLIENT, CONTROLLER;

    public String segment() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Kind> fromSegment(String segment) {
      for (Kind k : values()) {
        if (k.segment().equals(segment)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  private static final int SAN_URI = 6;

  public SpiffeId {
    name = name == null ? "" : name;
    if (trustDomain == null || trustDomain.isEmpty() || kind == null || (name.isEmpty() && kind != Kind.CONTROLLER)) {
      throw new IllegalArgumentException("a SPIFFE ID needs a trust domain, a kind and a name");
    }
    if (kind == Kind.CONTROLLER && !name.isEmpty()) {
      throw new IllegalArgumentException("the controllers share one identity, spiffe://" + trustDomain + "/controller, without a name");
    }
  }

  /** The controllers share one identity, {@code spiffe://<trust-domain>/controller}. */
  public static SpiffeId controller(String trustDomain) {
    return new SpiffeId(trustDomain, Kind.CONTROLLER, "");
  }

  public URI toUri() {
    return URI.create("spiffe://" + trustDomain + "/" + kind.segment() + (name.isEmpty() ? "" : "/" + name));
  }

  @Override
  public String toString() {
    return toUri().toString();
  }

  /** Parses {@code spiffe://td/kind/name}; empty for anything else. */
  public static Optional<SpiffeId> parse(String uri) {
    if (uri == null || !uri.startsWith("spiffe://")) {
      return Optional.empty();
    }
    String rest = uri.substring("spiffe://".length());
    String[] parts = rest.split("/", -1);
    for (String part : parts) {
      if (!part.matches("[a-z0-9.-]*")) {
        return Optional.empty();
      }
    }
    if (parts.length == 2 && !parts[0].isEmpty() && parts[1].equals(Kind.CONTROLLER.segment())) {
      return Optional.of(controller(parts[0]));
    }
    if (parts.length != 3 || parts[0].isEmpty() || parts[2].isEmpty()) {
      return Optional.empty();
    }
    return Kind.fromSegment(parts[1]).filter(k -> k != Kind.CONTROLLER).map(k -> new SpiffeId(parts[0], k, parts[2]));
  }

  /** The first SPIFFE URI SAN of a certificate, if it has one. */
  public static Optional<SpiffeId> of(X509Certificate cert) {
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    if (sans == null) {
      return Optional.empty();
    }
    for (List<?> san : sans) {
      if (san.size() >= 2 && Integer.valueOf(SAN_URI).equals(san.get(0))) {
        Optional<SpiffeId> id = parse(String.valueOf(san.get(1)));
        if (id.isPresent()) {
          return id;
        }
      }
    }
    return Optional.empty();
  }
}
