package io.adit.common.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * PEM in and out, for keys and certificates as people actually have them: a key written by
 * {@code openssl ecparam -genkey} (an {@code EC PARAMETERS} block, then SEC1 {@code EC PRIVATE
 * KEY}), SEC1, PKCS#1 RSA or PKCS#8; certificates one or many in a row. Keys are written as
 * PKCS#8, which every tool reads.
 */
public final class Pem {
  private static final JcaX509CertificateConverter CERTS = new JcaX509CertificateConverter();
  private static final JcaPEMKeyConverter KEYS = new JcaPEMKeyConverter();

  private Pem() {}

  /** Every certificate in the text, in order. Other blocks are skipped. */
  public static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          out.add(CERTS.getCertificate(holder));
        }
      }
    } catch (IOException | CertificateException e) {
      throw new PemException("not a valid PEM certificate: " + e.getMessage(), e);
    }
    return out;
  }

  /** The one certificate in the text; fails if there is none. Extra certificates are ignored. */
  public static X509Certificate certificate(String pem) {
    List<X509Certificate> certs = certificates(pem);
    if (certs.isEmpty()) {
      throw new PemException("no PEM certificate (-----BEGIN CERTIFICATE-----) found");
    }
    return certs.get(0);
  }

  /**
   * The private key in the text, in any of the formats above. An {@code EC PARAMETERS} block
   * before the key is allowed and skipped.
   */
  public static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof PEMKeyPair pair) {
          return KEYS.getKeyPair(pair).getPrivate();
        }
        if (o instanceof PrivateKeyInfo info) {
          return KEYS.getPrivateKey(info);
        }
        if (o instanceof X9ECParameters || o instanceof org.bouncycastle.asn1.ASN1ObjectIdentifier) {
          continue; // the EC PARAMETERS block of `openssl ecparam -genkey`
        }
        if (o instanceof org.bouncycastle.openssl.PEMEncryptedKeyPair
            || o instanceof org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo) {
          throw new PemException("the private key is encrypted with a passphrase: decrypt it first "
              + "(openssl pkey -in KEY -out KEY.plain)");
        }
      }
    } catch (PEMException e) {
      throw new PemException("not a valid PEM private key: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new PemException("not a valid PEM private key: " + e.getMessage(), e);
    }
    throw new PemException("no PEM private key (-----BEGIN ... PRIVATE KEY-----) found");
  }

  /** A PKCS#10 certificate signing request. */
  public static PKCS10CertificationRequest csr(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      if (o instanceof PKCS10CertificationRequest csr) {
        return csr;
      }
    } catch (IOException e) {
      throw new PemException("not a valid PEM certificate request: " + e.getMessage(), e);
    }
    throw new PemException("no PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----) found");
  }

  public static String encode(X509Certificate cert) {
    return encodeObject(cert);
  }

  public static String encode(List<X509Certificate> certs) {
    StringBuilder b = new StringBuilder();
    certs.forEach(c -> b.append(encode(c)));
    return b.toString();
  }

  public static String encode(PKCS10CertificationRequest csr) {
    return encodeObject(csr);
  }

  /** A private key as unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}). */
  public static String encode(PrivateKey key) {
    try {
      PemObject obj = new JcaPKCS8Generator(key, null).generate();
      StringWriter out = new StringWriter();
      try (PemWriter w = new PemWriter(out)) {
        w.writeObject(obj);
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String encodeObject(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** PEM text that cannot be used; the message says why in plain words. */
  public static class PemException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public PemException(String message) {
      super(message);
    }

    public PemException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
