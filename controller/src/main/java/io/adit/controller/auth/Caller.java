package io.adit.controller.auth;

import io.adit.common.pki.SpiffeId;
import io.grpc.Context;
import java.util.Optional;

/**
 * Who is calling: the SPIFFE ID of a verified client certificate, or anonymous (a node joining
 * with a token). Set on the gRPC {@link Context} by {@link AuthInterceptor}.
 */
public record Caller(Optional<SpiffeId> id) {
  static final Context.Key<Caller> KEY = Context.key("adit-caller");

  public static Caller anonymous() {
    return new Caller(Optional.empty());
  }

  public static Caller of(SpiffeId id) {
    return new Caller(Optional.of(id));
  }

  /** The caller of the current gRPC call. */
  public static Caller current() {
    Caller c = KEY.get();
    return c == null ? anonymous() : c;
  }

  public boolean is(SpiffeId.Kind kind) {
    return id.map(i -> i.kind() == kind).orElse(false);
  }

  public boolean isAdmin() {
    return is(SpiffeId.Kind.ADMIN);
  }

  public boolean isNode(String name) {
    return id.map(i -> i.kind() == SpiffeId.Kind.NODE && i.name().equals(name)).orElse(false);
  }

  /** For audit fields and logs: the SPIFFE ID, or "anonymous". */
  public String describe() {
    return id.map(SpiffeId::toString).orElse("anonymous");
  }
}
