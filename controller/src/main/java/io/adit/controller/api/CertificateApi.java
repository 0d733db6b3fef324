package io.adit.controller.api;

import com.google.protobuf.ByteString;
import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.Crl;
import io.adit.api.v1.GetCrlRequest;
import io.adit.api.v1.GetTrustBundleRequest;
import io.adit.api.v1.Kind;
import io.adit.api.v1.ListRevocationsRequest;
import io.adit.api.v1.ListRevocationsResponse;
import io.adit.api.v1.Revocation;
import io.adit.api.v1.RevokeCertificateRequest;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.api.v1.TrustBundle;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.common.proto.Timestamps;
import io.adit.common.validation.InvalidInputException;
import io.adit.controller.auth.Caller;
import io.adit.controller.ca.CaRotator;
import io.adit.controller.ca.ClusterAuthority;
import io.adit.api.v1.ListCasRequest;
import io.adit.api.v1.ListCasResponse;
import io.adit.api.v1.RotateCaRequest;
import io.adit.api.v1.RotateCaResponse;
import io.adit.controller.crl.CrlMaker;
import io.adit.controller.crl.SignedCrl;
import io.adit.controller.issuance.Issuer;
import io.adit.controller.revocation.RevocationManager;
import io.grpc.stub.StreamObserver;
import java.security.cert.X509Certificate;
import java.time.Duration;

/** CertificateService: signing CSRs, publishing the trust bundle and the CRL. */
public final class CertificateApi extends CertificateServiceGrpc.CertificateServiceImplBase {
  private final ClusterAuthority authority;
  private final Issuer issuer;
  private final RevocationManager revocations;
  private final CrlMaker crls;
  private final CaRotator rotator;

  public CertificateApi(ClusterAuthority authority, Issuer issuer, RevocationManager revocations, CrlMaker crls,
      CaRotator rotator) {
    this.authority = authority;
    this.issuer = issuer;
    this.revocations = revocations;
    this.crls = crls;
    this.rotator = rotator;
  }

  @Override
  public void rotateCa(RotateCaRequest req, StreamObserver<RotateCaResponse> obs) {
    Errors.audited(obs, "RotateCa", "ca.rotate", "ca", () -> {
      var prepared = rotator.rotate();
      return RotateCaResponse.newBuilder().setPrepared(prepared).setBundlePem(authority.bundlePem()).build();
    });
  }

  @Override
  public void listCas(ListCasRequest req, StreamObserver<ListCasResponse> obs) {
    Errors.unary(obs, "ListCas", () -> ListCasResponse.newBuilder().addAllAuthorities(rotator.list())
        .setBundleFingerprint(authority.bundleFingerprint()).build());
  }

  @Override
  public void signCertificate(SignCertificateRequest req, StreamObserver<SignCertificateResponse> obs) {
    Errors.audited(obs, "SignCertificate", "cert.issue", certTarget(req), () -> {
      if (req.getTtlSeconds() < 0) {
        throw new InvalidInputException("--ttl must be positive");
      }
      X509Certificate cert = issuer.issue(Caller.current(), req.getCsrPem(), kind(req.getKind()), req.getName(),
          Duration.ofSeconds(req.getTtlSeconds()));
      return SignCertificateResponse.newBuilder()
          .setCertificatePem(Pem.encode(cert))
          .setTrustBundlePem(authority.bundlePem())
          .setSerial(Keys.serialHex(cert))
          .setNotAfter(Timestamps.of(cert.getNotAfter().toInstant()))
          .build();
    });
  }

  @Override
  public void getTrustBundle(GetTrustBundleRequest req, StreamObserver<TrustBundle> obs) {
    Errors.unary(obs, "GetTrustBundle", () -> TrustBundle.newBuilder()
        .setPem(authority.bundlePem())
        .setTrustDomain(authority.trustDomain())
        .addAllCaHashes(authority.bundleHashes())
        .build());
  }

  @Override
  public void revokeCertificate(RevokeCertificateRequest req, StreamObserver<Revocation> obs) {
    Errors.audited(obs, "RevokeCertificate", "cert.revoke", req.getSerial(),
        () -> revocations.revoke(req.getSerial(), req.getReason(), Caller.current().describe()));
  }

  @Override
  public void listRevocations(ListRevocationsRequest req, StreamObserver<ListRevocationsResponse> obs) {
    Errors.unary(obs, "ListRevocations", () -> ListRevocationsResponse.newBuilder()
        .addAllRevocations(revocations.list()).build());
  }

  /** "client/client1": what a certificate request is for, as the audit names it. */
  private static String certTarget(SignCertificateRequest req) {
    String kind = req.getKind().name().startsWith("KIND_") ? req.getKind().name().substring(5) : req.getKind().name();
    return kind.toLowerCase(java.util.Locale.ROOT) + "/" + req.getName();
  }

  @Override
  public void getCrl(GetCrlRequest req, StreamObserver<Crl> obs) {
    Errors.unary(obs, "GetCrl", () -> {
      if (!req.getCaId().isEmpty() && req.getAllTrusted()) {
        throw new InvalidInputException("--ca and --all do not go together: give one CA's id, or all");
      }
      SignedCrl crl = req.getAllTrusted() ? crls.allTrusted()
          : req.getCaId().isEmpty() ? crls.current() : crls.forCa(req.getCaId());
      return Crl.newBuilder()
          .setPem(crl.pem())
          .setDer(ByteString.copyFrom(crl.der()))
          .setThisUpdate(Timestamps.of(crl.thisUpdate()))
          .setNextUpdate(Timestamps.of(crl.nextUpdate()))
          .setCrlNumber(crl.number())
          .setRevokedCount(crl.revokedCount())
          .build();
    });
  }

  static SpiffeId.Kind kind(Kind kind) {
    return switch (kind) {
      case KIND_ADMIN -> SpiffeId.Kind.ADMIN;
      case KIND_NODE -> SpiffeId.Kind.NODE;
      case KIND_SERVICE -> SpiffeId.Kind.SERVICE;
      case KIND_CLIENT -> SpiffeId.Kind.CLIENT;
      case KIND_CONTROLLER -> SpiffeId.Kind.CONTROLLER;
      default -> throw new InvalidInputException("kind must be admin, node, service or client");
    };
  }
}
