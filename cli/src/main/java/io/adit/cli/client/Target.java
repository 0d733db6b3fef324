package io.adit.cli.client;

import java.nio.file.Path;
import java.util.List;

/**
 * The controllers a command talks to and the config file that named them, so that an error
 * can say "cannot reach the controller at HOST:PORT" or "not signed by the CA in FILE".
 */
public record Target(Path configFile, List<String> endpoints) {
  public Target {
    endpoints = List.copyOf(endpoints);
  }

  /** "localhost:7443" or "a:7443, b:7443". */
  public String endpointList() {
    return String.join(", ", endpoints);
  }
}
