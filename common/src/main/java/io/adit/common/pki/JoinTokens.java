package io.adit.common.pki;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Join tokens: one URL-safe word, {@code <id>.<secret>.<ca-hash>}. The id is public (logs,
 * `node token list`); the secret is stored only as a hash; the CA hash (SHA-256 of the CA's
 * SubjectPublicKeyInfo, as {@link Keys#spkiHash}) lets a joining agent pin the CA before it
 * trusts anything the controller says.
 */
public final class JoinTokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern ID = Pattern.compile("[0-9a-f]{10}");
  private static final Pattern B64 = Pattern.compile("[A-Za-z0-9_-]{43}");

  /** A parsed token. */
  public record Token(String id, String secret, String caHash) {
    @Override
    public String toString() {
      return id + "." + secret + "." + caHash;
    }
  }

  private JoinTokens() {}

  public static Token generate(String caHash) {
    if (caHash == null || !B64.matcher(caHash).matches()) {
      throw new IllegalArgumentException("a CA hash is 43 base64url characters (SHA-256 of the SPKI)");
    }
    byte[] id = new byte[5];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    return new Token(HexFormat.of().formatHex(id), Base64.getUrlEncoder().withoutPadding().encodeToString(secret), caHash);
  }

  /** The token's parts, or empty if the text is not a well-formed token. */
  public static Optional<Token> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String[] parts = text.trim().split("\\.", -1);
    if (parts.length != 3 || !ID.matcher(parts[0]).matches() || !B64.matcher(parts[1]).matches()
        || !B64.matcher(parts[2]).matches()) {
      return Optional.empty();
    }
    return Optional.of(new Token(parts[0], parts[1], parts[2]));
  }
}
