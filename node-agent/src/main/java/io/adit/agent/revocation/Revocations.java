package io.adit.agent.revocation;

import io.adit.agent.tls.RevocationCheck;
import io.adit.api.v1.Revocation;
import io.adit.common.pki.Keys;
import io.adit.common.pki.SpiffeId;
import io.adit.common.proto.Timestamps;
import io.adit.store.v1.IdentityRecord;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;

/**
 * What is revoked, as last read from etcd: certificates by serial, and client identities by
 * name (which covers every certificate of the identity, including ones made by hand from an
 * imported CA that carry its spiffe:// URI). Immutable; {@link RevocationState} holds the current one.
 */
public record Revocations(Map<String, Revocation> serials, Map<String, IdentityRecord> identities)
    implements RevocationCheck {
  public static final Revocations NONE = new Revocations(Map.of(), Map.of());

  public Revocations {
    serials = Map.copyOf(serials);
    identities = Map.copyOf(identities);
  }

  @Override
  public Optional<String> refusal(X509Certificate leaf) {
    String serial = Keys.serialHex(leaf);
    Revocation r = serials.get(serial);
    if (r != null) {
      return Optional.of("certificate " + serial + (r.getName().isEmpty() ? "" : " (" + r.getName() + ")")
          + " was revoked at " + Timestamps.toInstant(r.getRevokeTime()) + " by " + by(r.getRevokedBy())
          + (r.getReason().isEmpty() ? "" : ": " + r.getReason()));
    }
    Optional<SpiffeId> id = SpiffeId.of(leaf);
    if (id.isPresent() && id.get().kind() == SpiffeId.Kind.CLIENT) {
      IdentityRecord identity = identities.get(id.get().name());
      if (identity != null) {
        return Optional.of("certificate " + serial + " is for identity " + identity.getName() + ", revoked at "
            + Timestamps.toInstant(identity.getRevokeTime()) + " by " + by(identity.getRevokedBy()));
      }
    }
    return Optional.empty();
  }

  /** The name in an admin's SPIFFE ID, which is what an operator recognises. */
  private static String by(String who) {
    int slash = who.lastIndexOf('/');
    return who.startsWith("spiffe://") && slash > 0 ? who.substring(slash + 1) : who;
  }

  public boolean isEmpty() {
    return serials.isEmpty() && identities.isEmpty();
  }
}
