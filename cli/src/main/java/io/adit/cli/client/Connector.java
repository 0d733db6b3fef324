package io.adit.cli.client;

import io.adit.common.config.ClientConfig;
import java.nio.file.Path;
import java.time.Duration;

/** Opens a {@link ControllerApi} for a config that has been read. */
@FunctionalInterface
public interface Connector {
  /**
   * Checks the config's credential, then returns an API whose calls each get {@code timeout}
   * as deadline. Nothing goes on the network until the first call.
   *
   * @param configFile where the config came from, for error messages
   * @param verbose whether the transport may log its own warnings on stderr
   * @throws io.adit.common.config.ConfigException when the credential cannot be used (expired,
   *     not a client certificate, key not matching) or a controller address is malformed
   */
  ControllerApi connect(ClientConfig config, Path configFile, Duration timeout, boolean verbose);
}
