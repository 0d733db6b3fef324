package io.adit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.cli.Failures.Failure;
import io.adit.cli.client.Target;
import io.adit.cli.command.CliException;
import io.adit.cli.command.ExitCode;
import io.adit.common.config.ConfigException;
import io.grpc.Status;
import java.net.ConnectException;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailuresTest {
  static final Optional<Target> TARGET = Optional.of(new Target(Path.of("/etc/adit/admin.conf"), List.of("ctl:7443")));

  private static Failure of(Status s) {
    return Failures.describe(s.asRuntimeException(), TARGET);
  }

  @ParameterizedTest
  @CsvSource({
      "INVALID_ARGUMENT, 2", "OUT_OF_RANGE, 2", "NOT_FOUND, 3", "ALREADY_EXISTS, 4", "ABORTED, 4",
      "FAILED_PRECONDITION, 4", "PERMISSION_DENIED, 5", "UNAUTHENTICATED, 5", "UNAVAILABLE, 6",
      "DEADLINE_EXCEEDED, 6", "INTERNAL, 1", "UNKNOWN, 1", "UNIMPLEMENTED, 1", "RESOURCE_EXHAUSTED, 1",
      "CANCELLED, 1", "DATA_LOSS, 1"})
  void mapsEachGrpcStatusToItsExitCode(Status.Code code, int exit) {
    assertThat(of(Status.fromCode(code).withDescription("x")).exitCode().code()).isEqualTo(exit);
  }

  @Test
  void passesTheControllersMessagesThrough() {
    assertThat(of(Status.NOT_FOUND.withDescription("service web not found")).message()).isEqualTo("service web not found");
    assertThat(of(Status.PERMISSION_DENIED.withDescription("a node may not create services")).message())
        .isEqualTo("a node may not create services");
  }

  @Test
  void passesAServerSideUnavailableThroughBecauseItExplains() {
    Failure f = of(Status.UNAVAILABLE.withDescription("etcd is unavailable at 10.0.0.1:2379: retry later"));
    assertThat(f.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(f.message()).isEqualTo("etcd is unavailable at 10.0.0.1:2379: retry later");
  }

  @Test
  void translatesARefusedConnection() {
    Failure f = of(Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new ConnectException("Connection refused: ctl/10.0.0.5:7443")));
    assertThat(f.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(f.message()).isEqualTo("cannot reach the controller at ctl:7443 (Connection refused: ctl/10.0.0.5:7443): "
        + "is adit-controller running?");
  }

  @Test
  void translatesAServerCertificateFromAnotherCa() {
    var tls = new SSLHandshakeException("PKIX path building failed");
    tls.initCause(new CertPathBuilderException("unable to find valid certification path to requested target"));
    Failure f = of(Status.UNAVAILABLE.withDescription("io exception").withCause(tls));
    assertThat(f.exitCode()).isEqualTo(ExitCode.CONFIG);
    assertThat(f.message()).startsWith("the controller's certificate is not signed by the CA in /etc/adit/admin.conf");
  }

  @Test
  void translatesAClientCertificateTheControllerRefused() {
    Failure f = of(Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new SSLHandshakeException("Received fatal alert: certificate_unknown")));
    assertThat(f.exitCode()).isEqualTo(ExitCode.DENIED);
    assertThat(f.message()).startsWith("the controller refused the certificate in /etc/adit/admin.conf (certificate_unknown)");
  }

  @Test
  void translatesAServerThatDropsTheTlsHandshake() {
    Failure f = of(Status.UNAVAILABLE.withDescription("Connection closed while performing TLS negotiation")
        .withCause(new java.nio.channels.ClosedChannelException()));
    assertThat(f.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(f.message()).isEqualTo("the server at ctl:7443 closed the connection during the TLS handshake: "
        + "is adit-controller listening there?");
  }

  @Test
  void translatesADeadline() {
    Failure f = of(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 9.99s"));
    assertThat(f.message()).isEqualTo("the controller at ctl:7443 did not answer in time: check that it and etcd "
        + "are healthy, or give a longer --timeout");
  }

  @Test
  void localFailuresKeepTheirOwnCodes() {
    assertThat(Failures.describe(new ConfigException("bad"), TARGET).exitCode()).isEqualTo(ExitCode.CONFIG);
    assertThat(Failures.describe(new CliException(ExitCode.CONFLICT, "x exists"), TARGET))
        .isEqualTo(new Failure(ExitCode.CONFLICT, "x exists"));
    assertThat(Failures.describe(new IllegalStateException("oops"), TARGET).exitCode()).isEqualTo(ExitCode.FAILURE);
  }
}
