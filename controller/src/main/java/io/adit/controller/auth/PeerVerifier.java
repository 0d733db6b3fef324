package io.adit.controller.auth;

import io.adit.common.pki.Keys;
import io.adit.common.pki.SpiffeId;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Checks a caller's certificate against the cluster's trust bundle and explains a refusal in
 * plain words: expired (and when), not yet valid, issued by another CA, from another trust
 * domain, or without an Adit identity.
 */
public final class PeerVerifier {

  /** The outcome: the caller's identity, or the reason it was refused. */
  public record Result(SpiffeId id, String reason, String subject) {
    public boolean ok() {
      return id != null;
    }
  }

  private final Supplier<List<X509Certificate>> bundle;
  private final Supplier<String> trustDomain;
  private final Clock clock;

  private final Function<String, Optional<String>> revoked;

  public PeerVerifier(Supplier<List<X509Certificate>> bundle, Supplier<String> trustDomain, Clock clock) {
    this(bundle, trustDomain, clock, serial -> Optional.empty());
  }

  /** @param revoked why a serial (lower-case hex) was revoked, or empty if it was not */
  public PeerVerifier(Supplier<List<X509Certificate>> bundle, Supplier<String> trustDomain, Clock clock,
      Function<String, Optional<String>> revoked) {
    this.bundle = bundle;
    this.trustDomain = trustDomain;
    this.clock = clock;
    this.revoked = revoked;
  }

  public Result verify(X509Certificate[] chain) {
    X509Certificate leaf = chain[0];
    String subject = leaf.getSubjectX500Principal().getName();
    Instant now = clock.instant();
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      return refused("the client certificate " + subject + " expired at " + leaf.getNotAfter().toInstant()
          + ": get a new one (an admin credential: aditctl admin issue, or the admin.conf the controller wrote)", subject);
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      return refused("the client certificate " + subject + " is not valid before " + leaf.getNotBefore().toInstant()
          + ": check this host's clock", subject);
    }
    Optional<X509Certificate> issuer = findIssuer(leaf, now);
    if (issuer.isEmpty()) {
      return refused("the client certificate " + subject + " was not issued by this cluster's CA", subject);
    }
    if (leaf.getBasicConstraints() >= 0) {
      return refused("the client certificate " + subject + " is a CA certificate, not a client certificate", subject);
    }
    Optional<SpiffeId> id = SpiffeId.of(leaf);
    if (id.isEmpty()) {
      return refused("the client certificate " + subject + " carries no Adit identity (spiffe:// URI SAN)", subject);
    }
    if (!id.get().trustDomain().equals(trustDomain.get())) {
      return refused("the client certificate is for trust domain " + id.get().trustDomain()
          + ", this cluster is " + trustDomain.get(), subject);
    }
    Optional<String> why = revoked.apply(Keys.serialHex(leaf));
    if (why.isPresent()) {
      return refused("the client certificate " + subject + " was revoked: " + why.get(), subject);
    }
    return new Result(id.get(), null, subject);
  }

  private Optional<X509Certificate> findIssuer(X509Certificate leaf, Instant now) {
    for (X509Certificate ca : bundle.get()) {
      if (!ca.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
        continue;
      }
      try {
        leaf.verify(ca.getPublicKey());
        ca.checkValidity(Date.from(now));
        return Optional.of(ca);
      } catch (GeneralSecurityException e) {
        // not this CA (same name, other key) or an expired CA: try the next one
      }
    }
    return Optional.empty();
  }

  private static Result refused(String reason, String subject) {
    return new Result(null, reason, subject);
  }
}
