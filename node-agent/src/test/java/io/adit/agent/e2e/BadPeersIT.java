package io.adit.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.Kind;
import io.adit.api.v1.Mode;
import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.SignCertificateRequest;
import io.adit.api.v1.Verify;
import io.adit.common.pki.Keys;
import io.adit.common.pki.Pem;
import io.adit.common.pki.SpiffeId;
import io.adit.testing.EtcdExtension;
import io.adit.testing.OpenSsl;
import io.adit.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wrong peer at a real agent's relay, as a user would check it: a server-mode service with
 * verify require and an allow list in front of an echo backend that counts its connections. A
 * refused client gets no echo, the backend is never dialed, the service's status says why in plain
 * words, and the next good client is served. Client-mode services refuse a server they must not
 * trust and say so.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadPeersIT {
  @RegisterExtension
  static final EtcdExtension etcd = new EtcdExtension();

  @TempDir
  static Path dir;

  static Cluster cluster;
  static CountingEcho backend;
  static Cluster.Credential client1;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    backend = new CountingEcho();
    cluster = new Cluster(etcd.endpoints(), dir, null);
    cluster.agent("node1");
    client1 = cluster.client("client1");
    cluster.client("client2");
    port = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("guarded").setAccept("127.0.0.1:" + port)
        .addConnect("127.0.0.1:" + backend.port()).addNodes("node1").setVerify(Verify.VERIFY_REQUIRE).addAllow("client1"));
    cluster.await("guarded", "node1", "Listening");
    foreignCa();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  /** What a bad peer does; returns what came back to it. */
  @FunctionalInterface
  interface Attempt {
    String run() throws Exception;
  }

  static Stream<Arguments> badClients() {
    return Stream.of(
        arguments(named("a certificate from a foreign CA claiming to be client1", (Attempt) () -> ncat("mallory")),
            List.of("unknown CA", "CN=Foreign CA")),
        arguments(named("client1's own certificate, expired", (Attempt) () -> ncat(expiredClient1())),
            List.of("client certificate", "expired")),
        arguments(named("a valid certificate of an identity not in --allow", (Attempt) () -> ncat("client2")),
            List.of("client2", "not allowed")),
        arguments(named("HTTP in plaintext", (Attempt) () -> raw("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII))),
            List.of("plaintext")),
        arguments(named("binary noise", (Attempt) () -> raw(new byte[] {0x00, 0x01, 0x02, (byte) 0xfe, (byte) 0xfd, (byte) 0x80,
            0x7f, 0x00, 0x13, 0x37, (byte) 0xc0, (byte) 0xde, 0x00, 0x42, (byte) 0x99, 0x10})),
            List.of("not TLS")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badClients")
  void aBadClientIsRefusedBeforeTheBackendWithAReasonAndTheNextGoodClientIsServed(Attempt attempt, List<String> words)
      throws Exception {
    int dialed = backend.accepted();

    String back = attempt.run();

    assertThat(back).as("what the refused client got back").doesNotContain("hello").doesNotContain("GET");
    awaitLastFailure("guarded", words);
    assertThat(backend.accepted()).as("backend connections").isEqualTo(dialed);
    assertServesAGoodClient(dialed);
  }

  @Test
  void aSilentClientIsClosedAtTheHandshakeTimeout() throws Exception {
    int dialed = backend.accepted();
    try (Socket silent = new Socket()) {
      silent.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      long start = System.nanoTime();
      // The default handshake timeout is 10 s; 15 s is the bound, not the expectation.
      silent.setSoTimeout(15_000);
      assertThat(readUntilClosed(silent.getInputStream())).isEmpty();
      Duration waited = Duration.ofNanos(System.nanoTime() - start);
      assertThat(waited).as("closed after").isBetween(Duration.ofSeconds(9), Duration.ofSeconds(15));
    }
    awaitLastFailure("guarded", List.of("sent nothing", "handshake timeout"));
    assertThat(backend.accepted()).isEqualTo(dialed);
    assertServesAGoodClient(dialed);
  }

  @Test
  void aClientModeServiceRefusesAServerFromAForeignCa() throws Exception {
    int serverPort = Tools.freePort();
    int clientPort = Tools.freePort();
    try (Tools.Background server = Tools.start(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + serverPort,
        "-cert", dir.resolve("impostor.crt").toString(), "-key", dir.resolve("impostor.key").toString(), "-quiet"))) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Tools.listening(serverPort));
      cluster.create(ServiceSpec.newBuilder().setName("ext-db").setMode(Mode.MODE_CLIENT).setAccept("127.0.0.1:" + clientPort)
          .addConnect("127.0.0.1:" + serverPort).setServerName("db.example").addNodes("node1"));
      cluster.await("ext-db", "node1", "Listening");

      assertThat(plainEcho(clientPort)).doesNotContain("hello");
      awaitLastFailure("ext-db", List.of("server certificate", "unknown CA", "CN=Foreign CA"));
      assertThat(server.isAlive()).isTrue();
    }
  }

  @Test
  void aClientModeServiceRefusesAServerCertificateForAnotherName() throws Exception {
    int paymentsPort = Tools.freePort();
    int clientPort = Tools.freePort();
    cluster.create(ServiceSpec.newBuilder().setName("payments").setAccept("127.0.0.1:" + paymentsPort)
        .addConnect("127.0.0.1:" + backend.port()).addNodes("node1"));
    // A server name the payments certificate does not carry: the cluster CA vouches for the
    // server, but not for this name.
    cluster.create(ServiceSpec.newBuilder().setName("billing-out").setMode(Mode.MODE_CLIENT)
        .setAccept("127.0.0.1:" + clientPort).addConnect("127.0.0.1:" + paymentsPort).setServerName("billing")
        .addNodes("node1"));
    cluster.await("payments", "node1", "Listening");
    cluster.await("billing-out", "node1", "Listening");
    int dialed = backend.accepted();

    assertThat(plainEcho(clientPort)).doesNotContain("hello");
    awaitLastFailure("billing-out", List.of("server certificate", "does not match", "billing"));
    assertThat(backend.accepted()).as("connections to the backend behind payments").isEqualTo(dialed);
  }

  // ---- peers --------------------------------------------------------------------------------

  /** ncat as a user runs it against the guarded service, with the named certificate; what came back. */
  static String ncat(String cert) {
    Tools.Result r = Tools.run(List.of("ncat", "-w", "5", "-i", "3", "--ssl", "--ssl-verify", "--ssl-servername", "guarded",
        "--ssl-trustfile", dir.resolve("ca.crt").toString(), "--ssl-cert", dir.resolve(cert + ".crt").toString(),
        "--ssl-key", dir.resolve(cert + ".key").toString(), "127.0.0.1", String.valueOf(port)), "hello\n",
        Duration.ofSeconds(15));
    assertThat(r.exitCode()).as("ncat was not killed: " + r.err()).isNotEqualTo(-1);
    return r.out();
  }

  /** Sends bytes to the guarded TLS port and reads until the relay closes the connection. */
  static String raw(byte[] bytes) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout(15_000);
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      return readUntilClosed(s.getInputStream());
    }
  }

  /** A plaintext client of a client-mode service: sends a line, reads until the relay closes. */
  static String plainEcho(int clientPort) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), clientPort), 5000);
      s.setSoTimeout(15_000);
      s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      return readUntilClosed(s.getInputStream());
    }
  }

  /**
   * Everything until end of stream or a reset; a read timeout fails the test (the relay kept the
   * connection open).
   */
  static String readUntilClosed(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    byte[] buf = new byte[512];
    try {
      for (int n = in.read(buf); n != -1; n = in.read(buf)) {
        b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the relay kept the connection open; received so far: " + b, e);
    } catch (SocketException reset) {
      // closed with a reset: closed all the same
    }
    return b.toString();
  }

  static void assertServesAGoodClient(int dialedBefore) throws Exception {
    try (TlsEcho good = TlsEcho.tls(port, "guarded", cluster.trust, client1.key(), client1.cert())) {
      assertThat(good.echo("still serving")).isEqualTo("still serving");
    }
    assertThat(backend.accepted()).as("backend connections after one good client").isEqualTo(dialedBefore + 1);
  }

  static void awaitLastFailure(String service, List<String> words) {
    // Status is written every few seconds: the reason shows up within one period or two.
    Awaitility.await("last_failure of " + service + " containing " + words).atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> cluster.status(service, "node1").map(NodeServiceStatus::getLastFailure).orElse(""),
            f -> words.stream().allMatch(f::contains));
  }

  // ---- certificates -------------------------------------------------------------------------

  /**
   * With the real openssl: a foreign CA, a client certificate it issued in client1's name (same
   * SPIFFE ID, so only the CA check can stop it), and a server certificate for db.example.
   */
  static void foreignCa() throws Exception {
    String trustDomain = SpiffeId.of(client1.cert()).orElseThrow().trustDomain();
    OpenSsl.ok(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "foreign-ca.key", "-out", "foreign-ca.crt", "-subj", "/CN=Foreign CA", "-days", "2");
    leaf("mallory", "/CN=client1", "subjectAltName=URI:spiffe://" + trustDomain + "/client/client1\n"
        + "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n");
    leaf("impostor", "/CN=db.example", "subjectAltName=DNS:db.example\n"
        + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
  }

  private static void leaf(String name, String subject, String extensions) throws IOException {
    Files.writeString(dir.resolve(name + ".ext"), extensions);
    OpenSsl.ok(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject);
    OpenSsl.ok(dir, "x509", "-req", "-in", name + ".csr", "-CA", "foreign-ca.crt", "-CAkey", "foreign-ca.key",
        "-set_serial", "4242", "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt");
  }

  /**
   * A certificate for client1 from the cluster CA, signed through the admin API with the shortest
   * lifetime it grants (1 s), once that lifetime is over. Returns its file name stem.
   */
  static String expiredClient1() throws Exception {
    KeyPair key = Keys.generateP256();
    String pem = CertificateServiceGrpc.newBlockingStub(cluster.admin).withDeadlineAfter(10, TimeUnit.SECONDS)
        .signCertificate(SignCertificateRequest.newBuilder().setKind(Kind.KIND_CLIENT).setName("client1")
            .setTtlSeconds(1).setCsrPem(Pem.encode(Keys.csr(key, "client1"))).build())
        .getCertificatePem();
    X509Certificate cert = Pem.certificate(pem);
    Files.writeString(dir.resolve("expired.crt"), pem);
    Files.writeString(dir.resolve("expired.key"), Pem.encode(key.getPrivate()));
    Instant notAfter = cert.getNotAfter().toInstant();
    assertThat(notAfter).as("the 1 s certificate's notAfter").isBefore(Instant.now().plusSeconds(5));
    Awaitility.await("the 1 s certificate expiring").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
        .until(() -> Instant.now().isAfter(notAfter.plusMillis(500)));
    return "expired";
  }

  /** An echo backend that counts the connections it accepts: whether a relay dialed it. */
  static final class CountingEcho implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "counting-echo");
      t.setDaemon(true);
      return t;
    });

    CountingEcho() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.execute(this::acceptLoop);
    }

    int port() {
      return server.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          accepted.incrementAndGet();
          open.add(s);
          threads.execute(() -> echo(s));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void echo(Socket s) {
      try (s) {
        s.getInputStream().transferTo(s.getOutputStream());
      } catch (IOException ignored) {
        // the relay closed it
      } finally {
        open.remove(s);
      }
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      threads.shutdownNow();
      try {
        threads.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
