package io.adit.controller.store.etcd;

import io.etcd.jetcd.ClientBuilder;
import java.io.File;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS to etcd: the CA that signs etcd's certificate and, for etcd's {@code --client-cert-auth},
 * a client certificate and PKCS#8 key, all PEM files.
 */
public record EtcdTls(Path caFile, Path certFile, Path keyFile) {

  void apply(ClientBuilder builder) {
    try {
      builder.sslContext(b -> {
        if (caFile != null) {
          b.trustManager(caFile.toFile());
        }
        if (certFile != null && keyFile != null) {
          b.keyManager(file(certFile), file(keyFile));
        }
      });
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot use the etcd TLS files: " + e.getMessage(), e);
    }
  }

  private static File file(Path p) {
    return p.toFile();
  }
}
