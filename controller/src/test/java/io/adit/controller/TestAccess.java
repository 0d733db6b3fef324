package io.adit.controller;

import io.grpc.ManagedChannel;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** Opens {@link TestChannels} to tests in other packages. */
public final class TestAccess {
  private TestAccess() {}

  public static ManagedChannel channel(int port, List<X509Certificate> trust, PrivateKey key, X509Certificate... chain) {
    return TestChannels.as(port, trust, key, chain);
  }
}
