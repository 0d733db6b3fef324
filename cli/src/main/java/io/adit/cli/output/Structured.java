package io.adit.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.PrintWriter;

/**
 * JSON and YAML output through Jackson. Kept apart from the table code so that a command that
 * prints a table never loads the writers.
 */
final class Structured {
  private Structured() {}

  static void write(PrintWriter out, OutputFormat format, Object value) {
    try {
      String text = writer(format).writeValueAsString(value);
      out.print(text.endsWith("\n") ? text : text + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + format + ": " + e.getOriginalMessage(), e);
    }
  }

  private static ObjectWriter writer(OutputFormat format) {
    if (format == OutputFormat.YAML) {
      YAMLFactory yaml = YAMLFactory.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
          .build();
      return new ObjectMapper(yaml).writer();
    }
    // jq's layout: "key": value, one array element per line, [] and {} when empty.
    DefaultIndenter indent = new DefaultIndenter("  ", "\n");
    Separators separators = Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withArrayEmptySeparator("")
        .withObjectEmptySeparator("");
    DefaultPrettyPrinter pretty = new DefaultPrettyPrinter(separators)
        .withObjectIndenter(indent)
        .withArrayIndenter(indent);
    return new ObjectMapper().writer(pretty);
  }
}
