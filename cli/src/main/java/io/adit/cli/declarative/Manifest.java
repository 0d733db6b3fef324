package io.adit.cli.declarative;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.adit.api.v1.Identity;
import io.adit.api.v1.Service;

/**
 * One object as {@code service get -o yaml} writes it and {@code apply} reads it:
 * {@code apiVersion}, {@code kind}, {@code metadata.name}, {@code spec}, and an output-only
 * {@code status} that apply ignores.
 *
 * @param status a record of what the controller reports; never read back
 */
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(String apiVersion, String kind, Metadata metadata, Object spec, Object status) {
  public static final String API_VERSION = "adit/v1";
  public static final String SERVICE = "Service";
  public static final String IDENTITY = "Identity";

  /** The object's name; the only metadata there is. */
  public record Metadata(String name) {}

  /** An identity's spec as read: nothing beyond its name, for now (written as {@code {}}). */
  public record IdentityFields() {}

  public static Manifest of(Service s, Object status) {
    return new Manifest(API_VERSION, SERVICE, new Metadata(s.getSpec().getName()), ServiceFields.of(s.getSpec()), status);
  }

  public static Manifest of(Identity i, Object status) {
    return new Manifest(API_VERSION, IDENTITY, new Metadata(i.getName()), java.util.Map.of(), status);
  }
}
