package io.adit.common.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.adit.common.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A credential file for talking to the controllers, in the spirit of a kubeconfig: where the
 * controllers are, the CA that signs their certificate, and the caller's certificate and key.
 * The controller writes the first one as {@code DATA_DIR/admin.conf}; {@code aditctl} reads it.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"apiVersion", "kind", "controllers", "trustDomain", "identity", "ca", "cert", "key"})
public record ClientConfig(
    @JsonProperty("apiVersion") String apiVersion,
    @JsonProperty("kind") String kind,
    @JsonProperty("controllers") List<String> controllers,
    @JsonProperty("trustDomain") String trustDomain,
    @JsonProperty("identity") String identity,
    @JsonProperty("ca") String caPem,
    @JsonProperty("cert") String certPem,
    @JsonProperty("key") String keyPem) {

  public static final String API_VERSION = "adit/v1";
  public static final String KIND = "Config";

  public ClientConfig {
    controllers = controllers == null ? List.of() : List.copyOf(controllers);
  }

  public static ClientConfig of(List<String> controllers, String trustDomain, String identity,
      String caPem, String certPem, String keyPem) {
    return new ClientConfig(API_VERSION, KIND, controllers, trustDomain, identity, caPem, certPem, keyPem);
  }

  private static ObjectMapper mapper() {
    YAMLFactory yaml = YAMLFactory.builder()
        .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .build();
    return new ObjectMapper(yaml).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
  }

  /**
   * Reads and checks a config file.
   *
   * @throws ConfigException naming the file and what is wrong with it
   */
  public static ClientConfig read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    ClientConfig config;
    try {
      config = mapper().readValue(text, ClientConfig.class);
    } catch (JacksonException e) {
      throw new ConfigException("config file " + file + " is not a valid Adit config: "
          + e.getOriginalMessage() + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
    }
    if (config == null) {
      throw new ConfigException("config file " + file + " is empty");
    }
    config.check(file);
    return config;
  }

  private void check(Path file) {
    if (apiVersion != null && !API_VERSION.equals(apiVersion)) {
      throw new ConfigException("config file " + file + " has apiVersion '" + apiVersion + "'; this aditctl reads " + API_VERSION);
    }
    if (kind != null && !KIND.equals(kind)) {
      throw new ConfigException("config file " + file + " has kind '" + kind + "', not " + KIND + ": it is not an Adit credential");
    }
    if (controllers.isEmpty()) {
      throw new ConfigException("config file " + file + " names no controllers (key 'controllers')");
    }
    for (var field : new String[][] {{"ca", caPem}, {"cert", certPem}, {"key", keyPem}}) {
      if (field[1] == null || field[1].isBlank()) {
        throw new ConfigException("config file " + file + " has no '" + field[0] + "'");
      }
    }
  }

  /** Writes the config with mode 0600: it holds a private key. */
  public void write(Path file) throws IOException {
    AtomicFiles.writePrivate(file, "# Adit credential: controllers, CA, certificate and key. Keep it private.\n"
        + mapper().writeValueAsString(this));
  }
}
