package io.adit.common.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class JoinTokensTest {
  private static final String ID = "0a1b2c3d4e";
  private static final String SECRET = "Zm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODktYWJjZGV";
  private static final String HASH = "u7d-_aP0q9mXl3kC8JtN2vYbW4hZ6sQe1rFgHiLoMnA";
  private static String caHash;

  @BeforeAll
  static void makeCaHash() {
    X509Certificate ca = SelfSigned.with(Keys.generateP256()).subject("CN=Adit CA").build();
    caHash = Keys.spkiHash(ca);
  }

  @Test
  void parsesWhatItGenerates() {
    JoinTokens.Token token = JoinTokens.generate(caHash);

    assertThat(JoinTokens.parse(token.toString())).contains(token);
    assertThat(token.id()).matches("[0-9a-f]{10}");
    assertThat(token.secret()).hasSize(43);
    assertThat(token.caHash()).isEqualTo(caHash);
    assertThat(token.toString()).isEqualTo(token.id() + "." + token.secret() + "." + caHash);
  }

  @Test
  void generatesOneUrlSafeWordWithoutSpacesOrColons() {
    for (int i = 0; i < 50; i++) {
      String text = JoinTokens.generate(caHash).toString();

      assertThat(text).doesNotContain(" ", ":", "+", "/", "=");
      assertThat(text).matches("[A-Za-z0-9._-]+");
      assertThat(URLEncoder.encode(text, StandardCharsets.UTF_8)).isEqualTo(text);
    }
  }

  @Test
  void generatesADifferentIdAndSecretEachTime() {
    JoinTokens.Token a = JoinTokens.generate(caHash);
    JoinTokens.Token b = JoinTokens.generate(caHash);

    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(a.secret()).isNotEqualTo(b.secret());
  }

  @Test
  void acceptsAWellFormedTokenPastedWithSurroundingWhitespace() {
    String text = ID + "." + SECRET + "." + HASH;

    assertThat(JoinTokens.parse(text)).contains(new JoinTokens.Token(ID, SECRET, HASH));
    assertThat(JoinTokens.parse("  " + text + "\n")).contains(new JoinTokens.Token(ID, SECRET, HASH));
  }

  @ParameterizedTest(name = "''{0}''")
  @NullAndEmptySource
  @ValueSource(strings = {
      "token",
      ID,
      ID + "." + SECRET,
      ID + "." + SECRET + "." + HASH + ".",
      ID + "." + SECRET + "." + HASH + ".extra",
      "." + SECRET + "." + HASH,
      ID + ".." + HASH,
      ID + "." + SECRET + ".",
      ID + ":" + SECRET + ":" + HASH,
      "0A1B2C3D4E." + SECRET + "." + HASH,
      "0a1b2c3d4." + SECRET + "." + HASH,
      "0a1b2c3d4e5." + SECRET + "." + HASH,
      "0a1b2c3d4g." + SECRET + "." + HASH,
      ID + "." + SECRET + "x." + HASH,
      ID + "." + "Zm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODktYWJjZG" + "." + HASH,
      ID + "." + SECRET + "." + "u7d-_aP0q9mXl3kC8JtN2vYbW4hZ6sQe1rFgHiLoMn",
      ID + "." + "Zm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODktYWJjZG+" + "." + HASH,
      ID + "." + "Zm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODktYWJjZG/" + "." + HASH,
      ID + "." + "Zm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODktYWJjZG=" + "." + HASH,
      ID + "." + SECRET + "." + HASH + "=",
      ID + ". " + SECRET + "." + HASH,
      ID + "." + SECRET + " ." + HASH})
  void parsesMalformedTokensAsEmpty(String text) {
    assertThat(JoinTokens.parse(text)).isEmpty();
  }
}
