package io.adit.controller.auth;

import io.adit.common.pki.SpiffeId;
import io.adit.controller.errors.UnavailableException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates and authorizes every call. TLS proves the caller holds the key of the
 * certificate it presented; {@link PeerVerifier} then checks that certificate against the
 * current trust bundle, so a CA change needs no new TLS context and each refusal gets a precise
 * reason; {@link AccessPolicy} decides what the verified role may call.
 */
public final class AuthInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);

  private final PeerVerifier verifier;
  private final AccessPolicy policy;

  public AuthInterceptor(PeerVerifier verifier, AccessPolicy policy) {
    this.verifier = verifier;
    this.policy = policy;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Optional<X509Certificate[]> chain = peerChain(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    Caller caller;
    if (chain.isEmpty()) {
      if (!policy.isOpen(method)) {
        return refuse(call, Status.UNAUTHENTICATED.withDescription(
            "no client certificate was presented: use the credential file the controller wrote (admin.conf) with aditctl --config"),
            method, "anonymous");
      }
      caller = Caller.anonymous();
    } else {
      PeerVerifier.Result result;
      try {
        result = verifier.verify(chain.get());
      } catch (UnavailableException e) {
        // The revocation check reads etcd: without it, nobody can be let in.
        return refuse(call, Status.UNAVAILABLE.withDescription(e.getMessage()), method, "a caller");
      }
      if (!result.ok()) {
        return refuse(call, Status.UNAUTHENTICATED.withDescription(result.reason()), method, result.subject());
      }
      SpiffeId id = result.id();
      if (!policy.isOpen(method) && !policy.permits(method, id.kind())) {
        return refuse(call, Status.PERMISSION_DENIED.withDescription(
            id + " (role " + id.kind().segment() + ") may not call " + shortName(method)), method, id.toString());
      }
      caller = Caller.of(id);
    }
    Context ctx = Context.current().withValue(Caller.KEY, caller);
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status, String method, String who) {
    log.info("refused {} from {}: {}", shortName(method), who, status.getDescription());
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  static String shortName(String fullMethod) {
    int slash = fullMethod.lastIndexOf('/');
    return slash < 0 ? fullMethod : fullMethod.substring(slash + 1);
  }

  private static Optional<X509Certificate[]> peerChain(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] certs = session.getPeerCertificates();
      if (certs == null || certs.length == 0) {
        return Optional.empty();
      }
      X509Certificate[] out = new X509Certificate[certs.length];
      for (int i = 0; i < certs.length; i++) {
        out[i] = (X509Certificate) certs[i];
      }
      return Optional.of(out);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }
}
