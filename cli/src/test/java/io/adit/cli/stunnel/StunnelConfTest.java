package io.adit.cli.stunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adit.cli.stunnel.StunnelConf.Option;
import io.adit.cli.stunnel.StunnelConf.Section;
import io.adit.common.validation.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StunnelConfTest {
  @TempDir
  Path dir;

  static Path resource(String name) {
    return Path.of("src/test/resources/stunnel", name);
  }

  @Test
  void readsGlobalsAndSectionsWithTheirLines() {
    StunnelConf conf = StunnelConf.read(resource("walkthrough.conf"));
    assertThat(conf.globals()).extracting(Option::key, Option::value)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("output", "/var/log/stunnel4/stunnel.log"),
            org.assertj.core.groups.Tuple.tuple("pid", "/var/run/stunnel4/stunnel.pid"));
    assertThat(conf.sections()).extracting(Section::name).containsExactly("service1", "service1-secure");
    Section secure = conf.sections().get(1);
    assertThat(secure.at().line()).isEqualTo(11);
    assertThat(secure.options()).extracting(Option::name)
        .containsExactly("accept", "connect", "cert", "key", "verify", "cafile");
    assertThat(secure.options().get(5).at().toString()).isEqualTo("walkthrough.conf:17");
  }

  @Test
  void skipsCommentsOfBothKindsAndBlankLines() throws Exception {
    Path f = Files.writeString(dir.resolve("s.conf"), "; a comment\n# another\n\n  [a]\n  ; indented\naccept=1\n"
        + "connect = x:2   \n");
    StunnelConf conf = StunnelConf.read(f);
    assertThat(conf.globals()).isEmpty();
    assertThat(conf.sections().get(0).options()).extracting(Option::value, o -> o.at().line())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("1", 6), org.assertj.core.groups.Tuple.tuple("x:2", 7));
  }

  @Test
  void includeReadsEveryFileOfTheDirectoryInNameOrderWhereItStands() throws Exception {
    Files.createDirectories(dir.resolve("conf.d"));
    Files.writeString(dir.resolve("conf.d/b.conf"), "[second]\naccept = 2\n");
    Files.writeString(dir.resolve("conf.d/a.conf"), "; first file\n[first]\naccept = 1\n");
    Path f = Files.writeString(dir.resolve("stunnel.conf"), "debug = 5\ninclude = conf.d\n[last]\naccept = 3\n");
    StunnelConf conf = StunnelConf.read(f);
    assertThat(conf.sections()).extracting(Section::name).containsExactly("first", "second", "last");
    assertThat(conf.sections().get(0).options().get(0).at().toString()).isEqualTo("a.conf:3");
    assertThat(conf.sections().get(1).at().toString()).isEqualTo("b.conf:1");
  }

  @Test
  void aLineThatIsNoOptionIsRefusedWithItsLine() throws Exception {
    Path f = Files.writeString(dir.resolve("bad.conf"), "[a]\naccept = 1\nconnect 2\n");
    assertThatThrownBy(() -> StunnelConf.read(f)).isInstanceOf(InvalidInputException.class)
        .hasMessage("bad.conf:3: 'connect 2' is neither an option (NAME = VALUE), a [section] nor a comment (; or #)");
  }

  @Test
  void aMissingFileOrIncludeDirectoryIsSaidPlainly() throws Exception {
    assertThatThrownBy(() -> StunnelConf.read(dir.resolve("none.conf"))).hasMessageEndingWith("none.conf: no such file");
    Path f = Files.writeString(dir.resolve("inc.conf"), "include = nowhere\n");
    assertThatThrownBy(() -> StunnelConf.read(f)).hasMessage("inc.conf:1: include nowhere: no such directory");
  }
}
