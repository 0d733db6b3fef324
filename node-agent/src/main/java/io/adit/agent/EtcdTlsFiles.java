package io.adit.agent;

import io.adit.common.validation.InvalidInputException;
import io.etcd.jetcd.ClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS to etcd for the agent: the CA that signs etcd's certificate and, for etcd's
 * {@code --client-cert-auth}, the node's etcd client certificate and PKCS#8 key (PEM files).
 */
public record EtcdTlsFiles(Path caFile, Path certFile, Path keyFile) {
  public EtcdTlsFiles {
    if ((certFile == null) != (keyFile == null)) {
      throw new InvalidInputException("--etcd-cert and --etcd-key go together: give both files");
    }
    for (Path p : new Path[] {caFile, certFile, keyFile}) {
      if (p != null && !Files.isReadable(p)) {
        throw new InvalidInputException("cannot read " + p + ": give a readable PEM file");
      }
    }
  }

  void apply(ClientBuilder builder) {
    try {
      builder.sslContext(b -> {
        if (caFile != null) {
          b.trustManager(caFile.toFile());
        }
        if (certFile != null) {
          b.keyManager(certFile.toFile(), keyFile.toFile());
        }
      });
    } catch (SSLException | IllegalArgumentException e) {
      throw new InvalidInputException("cannot use the etcd TLS files: " + e.getMessage());
    }
  }
}
