package io.adit.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.adit.api.v1.Mode;
import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.cli.output.Views.ServiceView;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ServiceOutputTest {
  static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  static Timestamp ts(String rfc3339) {
    return Timestamp.newBuilder().setSeconds(Instant.parse(rfc3339).getEpochSecond()).build();
  }

  static final Service WEB = Service.newBuilder()
      .setSpec(ServiceSpec.newBuilder().setName("web").setMode(Mode.MODE_SERVER).setAccept("443")
          .addConnect("127.0.0.1:8080").addConnect("127.0.0.1:8081").addNodes("node-a").addNodes("node-b")
          .setVerify(Verify.VERIFY_NONE).setCertTtlSeconds(43200)
          .addDnsNames("www.example.com").addIpAddresses("192.0.2.10").setIdleTimeoutSeconds(60))
      .setVersion(42)
      .setCreateTime(ts("2025-06-01T10:00:00Z"))
      .setUpdateTime(ts("2025-06-01T11:30:00Z"))
      .setUpdatedBy("spiffe://adit.local/admin/admin")
      .addWarnings("verify is none: any client that reaches port 443 gets through")
      .addNodeStatus(NodeServiceStatus.newBuilder().setNode("node-a").setState("Listening").setCertSerial("3f2a")
          .setCertNotAfter(ts("2025-06-02T10:00:00Z")).setActiveConnections(4).setBytesIn(1536).setBytesOut(5_000_000)
          .setUpdateTime(ts("2025-06-01T11:59:50Z")))
      .addNodeStatus(NodeServiceStatus.newBuilder().setNode("node-b").setState("Failed")
          .setError("port 443 is in use").setLastFailure("backend 127.0.0.1:8080 refused the connection"))
      .build();

  static final Service CLIENT = Service.newBuilder()
      .setSpec(ServiceSpec.newBuilder().setName("web-client").setMode(Mode.MODE_CLIENT).setAccept("6000")
          .setTo("web").setAllNodes(true).setIdentity("client1"))
      .setVersion(43)
      .build();

  private static String capture(Consumer<PrintWriter> print) {
    StringWriter s = new StringWriter();
    PrintWriter w = new PrintWriter(s);
    print.accept(w);
    w.flush();
    return s.toString();
  }

  @Test
  void listIsAnAlignedTable() {
    assertThat(capture(w -> ServiceText.list(w, List.of(WEB, CLIENT), NOW))).isEqualTo("""
        NAME         MODE     ACCEPT   TARGET                          NODES           VERIFY    LISTENING   AGE
        web          server   443      127.0.0.1:8080,127.0.0.1:8081   node-a,node-b   none      1/2         2h
        web-client   client   6000     service:web                     (all nodes)     require   0/0         -
        """);
  }

  @Test
  void describeShowsEveryFieldWarnsAboutWeakVerifyAndListsNodeStatus() {
    String out = capture(w -> ServiceText.describe(w, WEB, NOW));
    assertThat(out).isEqualTo("""
        Name:         web
        Mode:         server
        Accept:       443
        Connect:      127.0.0.1:8080,127.0.0.1:8081
        Failover:     in order
        To:           -
        Nodes:        node-a,node-b
        Verify:       none   WARNING: no client certificate is asked for; anyone who reaches the port gets through
        Allow:        any identity issued by the cluster CA
        Server name:  -
        Identity:     -
        Cert TTL:     12h
        Cert names:   web,www.example.com,192.0.2.10
        TLS versions: 1.2 and 1.3
        Ciphers:      default (TLS 1.2: ECDHE with AES-GCM or ChaCha20)
        Ciphersuites: default (all TLS 1.3 suites)
        Curves:       the TLS engine's default
        Timeouts:     handshake 10s, connect 10s, idle 1m
        PROXY header: none
        Conn limit:   1000 (default)
        Version:      42
        Created:      2025-06-01T10:00:00Z (2h ago)
        Updated:      2025-06-01T11:30:00Z (30m ago) by spiffe://adit.local/admin/admin
        Warnings:
          - verify is none: any client that reaches port 443 gets through

        Status:
        NODE     STATE       ERROR                CERT SERIAL   CERT EXPIRES   CONNECTIONS   BYTES IN   BYTES OUT   LAST FAILURE
        node-a   Listening   -                    3f2a          in 22h         4             1.5 KiB    4.8 MiB     -
        node-b   Failed      port 443 is in use   -             -              0             0 B        0 B         backend 127.0.0.1:8080 refused the connection
        """);
  }

  @Test
  void describeShowsTheCipherSuitesAndCurvesAServiceIsLimitedTo() {
    Service s = WEB.toBuilder().setSpec(WEB.getSpec().toBuilder()
        .addTlsCiphers("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256").addTlsCiphersuites("TLS_AES_256_GCM_SHA384")
        .addTlsCurves("X25519").addTlsCurves("P-256")).build();
    assertThat(capture(w -> ServiceText.describe(w, s, NOW))).contains("""
        Ciphers:      TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        Ciphersuites: TLS_AES_256_GCM_SHA384
        Curves:       X25519,P-256
        """);
    assertThat(capture(w -> new Printer(OutputFormat.JSON, w).print(ServiceView.of(s), () -> {})))
        .contains("\"curves\": [\n    \"X25519\",\n    \"P-256\"\n  ]");
  }

  @Test
  void optionalVerifyIsAWarningToo() {
    Service s = WEB.toBuilder().setSpec(WEB.getSpec().toBuilder().setVerify(Verify.VERIFY_OPTIONAL)).build();
    assertThat(capture(w -> ServiceText.describe(w, s, NOW))).contains("Verify:       optional   WARNING:");
  }

  @Test
  void jsonHasStableCamelCaseKeysInOrder() {
    String json = capture(w -> new Printer(OutputFormat.JSON, w).print(ServiceView.of(WEB), () -> {}));
    assertThat(json).isEqualTo("""
        {
          "name": "web",
          "mode": "server",
          "accept": "443",
          "connect": [
            "127.0.0.1:8080",
            "127.0.0.1:8081"
          ],
          "to": null,
          "nodes": [
            "node-a",
            "node-b"
          ],
          "allNodes": false,
          "verify": "none",
          "allow": [],
          "serverName": null,
          "identity": null,
          "certTtl": "12h",
          "dnsNames": [
            "www.example.com"
          ],
          "ips": [
            "192.0.2.10"
          ],
          "trustCa": null,
          "tlsMinVersion": null,
          "handshakeTimeout": null,
          "connectTimeout": null,
          "idleTimeout": "1m",
          "maxConnections": null,
          "proxyProtocol": null,
          "failover": null,
          "ciphers": [],
          "ciphersuites": [],
          "curves": [],
          "version": 42,
          "createTime": "2025-06-01T10:00:00Z",
          "updateTime": "2025-06-01T11:30:00Z",
          "updatedBy": "spiffe://adit.local/admin/admin",
          "warnings": [
            "verify is none: any client that reaches port 443 gets through"
          ],
          "status": [
            {
              "node": "node-a",
              "state": "Listening",
              "error": null,
              "certSerial": "3f2a",
              "certNotAfter": "2025-06-02T10:00:00Z",
              "activeConnections": 4,
              "bytesIn": 1536,
              "bytesOut": 5000000,
              "lastFailure": null,
              "updateTime": "2025-06-01T11:59:50Z"
            },
            {
              "node": "node-b",
              "state": "Failed",
              "error": "port 443 is in use",
              "certSerial": null,
              "certNotAfter": null,
              "activeConnections": 0,
              "bytesIn": 0,
              "bytesOut": 0,
              "lastFailure": "backend 127.0.0.1:8080 refused the connection",
              "updateTime": null
            }
          ]
        }
        """);
  }

  @Test
  void yamlHasTheSameKeys() {
    String yaml = capture(w -> new Printer(OutputFormat.YAML, w).print(ServiceView.of(CLIENT), () -> {}));
    assertThat(yaml).isEqualTo("""
        name: web-client
        mode: client
        accept: "6000"
        connect: []
        to: web
        nodes: []
        allNodes: true
        verify: require
        allow: []
        serverName: null
        identity: client1
        certTtl: null
        dnsNames: []
        ips: []
        trustCa: null
        tlsMinVersion: null
        handshakeTimeout: null
        connectTimeout: null
        idleTimeout: null
        maxConnections: null
        proxyProtocol: null
        failover: null
        ciphers: []
        ciphersuites: []
        curves: []
        version: 43
        createTime: null
        updateTime: null
        updatedBy: null
        warnings: []
        status: []
        """);
  }

  @Test
  void tableOutputNeverTouchesTheStructuredWriters() {
    String table = capture(w -> new Printer(OutputFormat.TABLE, w).print(ServiceView.of(WEB), () -> w.print("table")));
    assertThat(table).isEqualTo("table");
  }
}
