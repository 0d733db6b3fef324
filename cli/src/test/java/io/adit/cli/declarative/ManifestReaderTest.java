package io.adit.cli.declarative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.api.v1.ApplyObject;
import io.adit.api.v1.Mode;
import io.adit.api.v1.ServiceSpec;
import io.adit.api.v1.Verify;
import io.adit.common.validation.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestReaderTest {
  static final String FILE = """
      apiVersion: adit/v1
      kind: Service
      metadata:
        name: web
      spec:
        accept: 443
        connect: [127.0.0.1:8080, 127.0.0.1:8081]
        nodes:
          - node-a
        allow: [client1]
        connectTimeout: 5s
        maxConnections: 50
        proxyProtocol: v2
      status:
        anything: is ignored
      ---
      kind: Identity
      metadata:
        name: client1
      ---
      kind: Service
      metadata: {name: web-client}
      spec:
        client: true
        accept: "6000"
        to: web
        identity: client1
        allNodes: true
      """;

  @Test
  void readsEveryDocumentWithWhereItStarts() {
    List<ApplyObject> objects = ManifestReader.read("services.yaml", FILE, false);

    assertThat(objects).extracting(ApplyObject::getSource)
        .containsExactly("services.yaml line 1", "services.yaml line 17", "services.yaml line 21");
    assertThat(objects.get(0).getService()).isEqualTo(ServiceSpec.newBuilder().setName("web").setMode(Mode.MODE_SERVER)
        .setAccept("443").addConnect("127.0.0.1:8080").addConnect("127.0.0.1:8081").addNodes("node-a").addAllow("client1")
        .setConnectTimeoutSeconds(5).setMaxConnections(50).setProxyProtocol("v2").build());
    assertThat(objects.get(1).getIdentity().getName()).isEqualTo("client1");
    assertThat(objects.get(2).getService()).satisfies(s -> {
      assertThat(s.getMode()).isEqualTo(Mode.MODE_CLIENT);
      assertThat(s.getTo()).isEqualTo("web");
      assertThat(s.getAllNodes()).isTrue();
    });
  }

  @Test
  void anUnknownFieldNamesTheFileTheLineTheObjectAndTheNearestField() {
    String text = FILE.replace("  connect: [", "  conect: [");
    assertThatThrownBy(() -> ManifestReader.read("services.yaml", text, false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("services.yaml line 7: unknown field 'conect' in Service 'web' (did you mean 'connect'?)");
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of("kind: Service\nmetadata: {name: web}\nspecs: {}\n",
            "x.yaml line 3: unknown field 'specs' (did you mean 'spec'?)"),
        Arguments.of("kind: Service\nmetadata:\n  name: web\n  labels: {a: b}\n", "x.yaml line 4: unknown field 'labels'"),
        Arguments.of("kind: Identity\nmetadata: {name: c1}\nspec:\n  revoked: true\n",
            "x.yaml line 4: unknown field 'revoked' in Identity 'c1' (an identity's spec is empty)"),
        Arguments.of("kind: Srvice\nmetadata: {name: web}\n", "x.yaml line 1: kind 'Srvice' is not known: use Service or Identity"),
        Arguments.of("metadata: {name: web}\n", "x.yaml line 1: an object needs kind: Service or kind: Identity"),
        Arguments.of("kind: Service\nspec: {}\n", "x.yaml line 1: Service needs metadata.name"),
        Arguments.of("apiVersion: v2\nkind: Service\n", "x.yaml line 1: apiVersion 'v2' is not known: use adit/v1 (or leave it out)"),
        Arguments.of("kind: Service\nmetadata: {name: web}\nspec:\n  accept: 443\n  connect: {a: b}\n",
            "x.yaml line 5: field 'connect' in Service 'web' has a value of the wrong type: give a list of strings (or just one)"),
        Arguments.of("kind: Service\nmetadata: {name: web}\nspec:\n  accept: 443\n  maxConnections: many\n",
            "x.yaml line 5: field 'maxConnections' in Service 'web' has a value of the wrong type: give a whole number"),
        Arguments.of("kind: Service\nmetadata: {name: web}\nspec:\n  idleTimeout: soon\n",
            "x.yaml line 1: Service 'web': idleTimeout 'soon' is not a duration"),
        Arguments.of("kind: Service\nmetadata: {name: web}\nspec: [1\n", "x.yaml line "),
        Arguments.of("- 1\n", "x.yaml line 1: expected an object with kind, metadata and spec, not number"));
  }

  @ParameterizedTest
  @MethodSource("badInput")
  void badInputSaysWhereAndWhat(String text, String message) {
    assertThatThrownBy(() -> ManifestReader.read("x.yaml", text, false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void jsonMayHoldOneObjectOrAList() {
    String json = """
        [
          {"kind": "Identity", "metadata": {"name": "a"}},
          {"kind": "Identity", "metadata": {"name": "b"},
           "spec": {"nme": 1}}
        ]
        """;
    assertThatThrownBy(() -> ManifestReader.read("ids.json", json, true))
        .hasMessage("ids.json line 4: unknown field 'nme' in Identity 'b' (an identity's spec is empty)");
    List<ApplyObject> ok = ManifestReader.read("ids.json", json.replace(",\n   \"spec\": {\"nme\": 1}", ""), true);
    assertThat(ok).extracting(o -> o.getIdentity().getName()).containsExactly("a", "b");
    assertThat(ok.get(1).getSource()).isEqualTo("ids.json line 3");
  }

  @Test
  void aDirectoryGivesItsYamlAndJsonFilesInNameOrderAndDashReadsStandardInput(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("b.yml"), "kind: Identity\nmetadata: {name: b}\n");
    Files.writeString(dir.resolve("a.json"), "{\"kind\": \"Identity\", \"metadata\": {\"name\": \"a\"}}");
    Files.writeString(dir.resolve("notes.txt"), "not read");
    List<ApplyObject> objects = ManifestReader.readAll(List.of(dir.toString(), "-"),
        () -> new ByteArrayInputStream("kind: Identity\nmetadata: {name: c}\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(objects).extracting(o -> o.getIdentity().getName()).containsExactly("a", "b", "c");
    assertThat(objects.get(2).getSource()).isEqualTo("stdin line 1");
    assertThatThrownBy(() -> ManifestReader.readAll(List.of(dir.resolve("none.yaml").toString()), () -> System.in))
        .hasMessage(dir.resolve("none.yaml") + ": no such file");
  }

  @Test
  void everyFieldMapsToTheApiAndBackUnchanged() {
    ServiceSpec server = ServiceSpec.newBuilder().setName("web").setMode(Mode.MODE_SERVER).setAccept("127.0.0.1:443")
        .addConnect("10.0.0.1:80").addNodes("a").addNodes("b").setVerify(Verify.VERIFY_OPTIONAL).addAllow("c1")
        .setCertTtlSeconds(86400).addDnsNames("www.example.com").addIpAddresses("10.0.0.9").setTlsMinVersion("1.3")
        .setHandshakeTimeoutSeconds(5).setConnectTimeoutSeconds(90).setIdleTimeoutSeconds(3600).setMaxConnections(10)
        .setProxyProtocol("v1").build();
    ServiceSpec client = ServiceSpec.newBuilder().setName("legacy").setMode(Mode.MODE_CLIENT).setAccept("6000")
        .addConnect("legacy.example.com:443").setAllNodes(true).setVerify(Verify.VERIFY_REQUIRE).setServerName("legacy.example.com")
        .setIdentity("c1").setTrustCaPem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").build();
    for (ServiceSpec s : List.of(server, client)) {
      ServiceSpec back = ServiceFields.of(s).toProto(s.getName());
      // verify is stored as require in client mode and not written: the controller fills it in.
      assertThat(back.toBuilder().setVerify(s.getVerify()).build()).isEqualTo(s);
    }
  }
}
