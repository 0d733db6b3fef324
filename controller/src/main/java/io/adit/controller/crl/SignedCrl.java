package io.adit.controller.crl;

import java.time.Instant;
import java.util.Objects;

/** A CRL as served: DER, the same as PEM, and what it says. The DER array is never modified. */
public record SignedCrl(byte[] der, String pem, Instant thisUpdate, Instant nextUpdate, long number, int revokedCount) {
  public SignedCrl {
    Objects.requireNonNull(der, "der");
    Objects.requireNonNull(pem, "pem");
    Objects.requireNonNull(thisUpdate, "thisUpdate");
    Objects.requireNonNull(nextUpdate, "nextUpdate");
  }

  @Override
  public String toString() {
    return "SignedCrl[number " + number + ", " + revokedCount + " revoked, " + thisUpdate + " to " + nextUpdate + "]";
  }
}
