package io.adit.agent.tls;

import io.adit.common.pki.Keys;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * Builds the {@link SslContext}s relays use: TLS 1.2 and 1.3 only, ECDHE with AEAD suites only
 * (AES-GCM, ChaCha20-Poly1305; a service may narrow them, {@link TlsChoices}), peers checked against the given CA certificates with refusals
 * explained in plain words ({@link PeerCertificateException}).
 *
 * <p>Contexts are immutable and thread-safe; build a new one when a certificate is renewed and
 * hand it to {@link ReloadableTls#update}.
 */
public final class TlsContexts {
  private TlsContexts() {}

  /**
   * A server context presenting {@code chain} (leaf first) and, unless {@code verify} is NONE,
   * asking clients for a certificate issued by one of {@code trust}.
   *
   * @param minTls "1.2" or "1.3"
   * @throws IllegalArgumentException if the key does not match the certificate, or trust is
   *     missing while clients are to be verified
   */
  public static SslContext forServer(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trust,
      Verify verify, String minTls, Provider provider) {
    return forServer(key, chain, trust, verify, minTls, provider, RevocationCheck.NONE);
  }

  /** As above, refusing client certificates that {@code revocations} says are revoked. */
  public static SslContext forServer(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trust,
      Verify verify, String minTls, Provider provider, RevocationCheck revocations) {
    return forServer(key, chain, trust, verify, minTls, provider, revocations, TlsChoices.DEFAULT);
  }

  /**
   * As above, offering only the suites and groups {@code choices} names.
   *
   * @throws IllegalArgumentException if the provider cannot honour {@code choices}, saying why
   */
  public static SslContext forServer(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trust,
      Verify verify, String minTls, Provider provider, RevocationCheck revocations, TlsChoices choices) {
    Objects.requireNonNull(key, "private key");
    requireChain(chain);
    Objects.requireNonNull(verify, "verify");
    requireMatchingKey(key, chain.get(0));
    SslContextBuilder b = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new));
    if (verify != Verify.NONE) {
      if (trust == null || trust.isEmpty()) {
        throw new IllegalArgumentException("verify " + verify.name().toLowerCase(java.util.Locale.ROOT)
            + " needs the CA certificates that issue client certificates");
      }
      b.trustManager(ExplainingTrustManager.trusting(trust, revocations));
      b.clientAuth(verify == Verify.REQUIRE ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
    } else {
      b.clientAuth(ClientAuth.NONE);
    }
    return build(b, minTls, provider, choices);
  }

  /**
   * A client context trusting {@code trust} and verifying the server name given to
   * {@code newHandler(alloc, serverName, port)}; it presents {@code chain} when both key and
   * chain are given.
   */
  public static SslContext forClient(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trust,
      String minTls, Provider provider) {
    return forClient(key, chain, trust, minTls, provider, RevocationCheck.NONE);
  }

  /** As above, refusing server certificates that {@code revocations} says are revoked. */
  public static SslContext forClient(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trust,
      String minTls, Provider provider, RevocationCheck revocations) {
    return forClient(key, chain, trust, minTls, provider, revocations, TlsChoices.DEFAULT);
  }

  /** As above, offering only the suites and groups {@code choices} names. */
  public static SslContext forClient(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trust,
      String minTls, Provider provider, RevocationCheck revocations, TlsChoices choices) {
    if ((key == null) != (chain == null || chain.isEmpty())) {
      throw new IllegalArgumentException("a client certificate needs both its private key and its certificate");
    }
    if (trust == null || trust.isEmpty()) {
      throw new IllegalArgumentException("a TLS client needs the CA certificates that issue server certificates");
    }
    SslContextBuilder b = SslContextBuilder.forClient()
        .trustManager(ExplainingTrustManager.trusting(trust, revocations))
        // Netty 4.2 clients check the server name by default; say so, it is a security property.
        .endpointIdentificationAlgorithm("HTTPS");
    if (key != null) {
      requireMatchingKey(key, chain.get(0));
      b.keyManager(key, chain.toArray(X509Certificate[]::new));
    }
    return build(b, minTls, provider, choices);
  }

  /** The protocol list for a minimum version: "1.2" or "1.3". */
  public static String[] protocols(String minTls) {
    return switch (String.valueOf(minTls)) {
      case "1.2" -> new String[] {"TLSv1.3", "TLSv1.2"};
      case "1.3" -> new String[] {"TLSv1.3"};
      default -> throw new IllegalArgumentException("minimum TLS version must be 1.2 or 1.3, not " + minTls);
    };
  }

  private static SslContext build(SslContextBuilder b, String minTls, Provider provider, TlsChoices choices) {
    Provider p = provider == null ? Provider.best() : provider;
    if (!p.isAvailable()) {
      throw new IllegalArgumentException("TLS provider " + p + " is not available on this host");
    }
    String unsupported = choices.unsupportedBy(p);
    if (unsupported != null) {
      throw new IllegalArgumentException(unsupported);
    }
    b.sslProvider(p.netty())
        .protocols(protocols(minTls))
        .ciphers(choices.suites(), SupportedCipherSuiteFilter.INSTANCE);
    if (!choices.curves().isEmpty()) {
      // BoringSSL only (unsupportedBy refuses curves with the JDK): Netty hands the list to SSL_CTX_set1_groups_list.
      b.option(OpenSslContextOption.GROUPS, choices.curves().toArray(String[]::new));
    }
    try {
      return b.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  /** Signs a few bytes with the key and checks them with the certificate: a mix-up fails here, not in every handshake. */
  private static void requireMatchingKey(PrivateKey key, X509Certificate leaf) {
    try {
      String algorithm = Keys.signatureAlgorithm(leaf.getPublicKey());
      byte[] probe = "adit key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new IllegalArgumentException("the private key does not belong to the certificate "
            + leaf.getSubjectX500Principal().getName());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the private key does not belong to the certificate "
          + leaf.getSubjectX500Principal().getName() + " (" + e.getMessage() + ")", e);
    }
  }

  private static void requireChain(List<X509Certificate> chain) {
    if (chain == null || chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain (leaf first) is required");
    }
  }
}
