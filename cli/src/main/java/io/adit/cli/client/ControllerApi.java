package io.adit.cli.client;

import io.adit.api.v1.ApplyRequest;
import io.adit.api.v1.ApplyResponse;
import io.adit.api.v1.AuditEvent;
import io.adit.api.v1.CreateServiceRequest;
import io.adit.api.v1.Crl;
import io.adit.api.v1.DeleteNodeResponse;
import io.adit.api.v1.Identity;
import io.adit.api.v1.JoinToken;
import io.adit.api.v1.JoinTokenInfo;
import io.adit.api.v1.Node;
import io.adit.api.v1.Revocation;
import io.adit.api.v1.Service;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.SignCertificateResponse;
import io.adit.api.v1.TrustBundle;
import io.adit.api.v1.UpdateServiceRequest;
import java.util.List;

/**
 * The controller's API as the commands use it. Every call is blocking, carries the deadline set
 * by {@code --timeout}, and fails with a {@link io.grpc.StatusRuntimeException} whose status
 * the CLI maps to an exit code in one place. Tests drive the commands with an in-memory fake.
 */
public interface ControllerApi extends AutoCloseable {

  /** Where the calls go, for error messages. */
  Target target();

  Service createService(CreateServiceRequest request);

  Service updateService(UpdateServiceRequest request);

  Service getService(String name);

  List<Service> listServices();

  /** Deletes a service; {@code dryRun} only checks that it could. Returns it as it was. */
  Service deleteService(String name, boolean dryRun);

  default Identity createIdentity(String name) {
    return createIdentity(name, false);
  }

  /** Records a client identity; {@code dryRun} only checks that it could. */
  Identity createIdentity(String name, boolean dryRun);

  /** Creates or updates the declared objects in one transaction (or, with dry run, says what it would do). */
  ApplyResponse apply(ApplyRequest request);

  Identity getIdentity(String name);

  List<Identity> listIdentities();

  Identity revokeIdentity(String name);

  Revocation revokeCertificate(String serial, String reason);

  List<Revocation> listRevocations();

  SignCertificateResponse signCertificate(SignCertificateRequest request);

  TrustBundle getTrustBundle();

  /** The CRL signed by the cluster's CA, PEM and DER. */
  Crl getCrl();

  /** One trusted CA's CRL, or every trusted CA's in one PEM. */
  Crl getCrl(io.adit.api.v1.GetCrlRequest request);

  List<Node> listNodes();

  /** Starts a CA rotation: a new CA, prepared. */
  io.adit.api.v1.RotateCaResponse rotateCa();

  /** Every CA of the cluster with its state and what it waits for. */
  io.adit.api.v1.ListCasResponse listCas();

  /** A one-time join token; {@code ttlSeconds} 0 means the controller's default. */
  JoinToken createJoinToken(long ttlSeconds);

  DeleteNodeResponse deleteNode(String name);

  /** Audit events since {@code since} (null: all) of {@code action} (empty: all), oldest first. */
  List<AuditEvent> listAudit(java.time.Instant since, String action);

  List<JoinTokenInfo> listJoinTokens();

  JoinTokenInfo revokeJoinToken(String id);

  /** Releases the connection; never throws. */
  @Override
  void close();
}
