package io.adit.cli.declarative;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.adit.api.v1.ApplyObject;
import io.adit.api.v1.IdentitySpec;
import io.adit.cli.declarative.Manifest.IdentityFields;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.Suggest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Reads declarative files: YAML (one object per document, {@code ---} between them) or JSON, where
 * a document may also be a list of objects (what {@code service list -o json} prints). Every
 * error names the file and line: an unknown field (with the nearest known one), a value of the
 * wrong type, a missing kind or name. Jackson does the parsing; this class only remembers on
 * which line each field was, since a parsed tree forgets.
 */
public final class ManifestReader {
  private static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));
  private static final ObjectMapper JSON = configure(new ObjectMapper(new JsonFactory()));

  private ManifestReader() {}

  /** The document shape, read strictly; {@code spec} is read by kind, {@code status} ignored. */
  record Document(String apiVersion, String kind, Metadata metadata, JsonNode spec, JsonNode status) {}

  record Metadata(String name) {}

  private static ObjectMapper configure(ObjectMapper m) {
    return m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  /**
   * The objects in every path: a file (.json is JSON, anything else YAML), a directory (its
   * *.yaml, *.yml and *.json files, sorted by name) or "-" for standard input (YAML, of which
   * JSON is a subset). Paths are named in messages as given.
   */
  public static List<ApplyObject> readAll(List<String> paths, Supplier<InputStream> stdin) {
    List<ApplyObject> out = new ArrayList<>();
    for (String given : paths) {
      if (given.equals("-")) {
        try {
          out.addAll(read("stdin", new String(stdin.get().readAllBytes(), StandardCharsets.UTF_8), false));
        } catch (IOException e) {
          throw new InvalidInputException("cannot read standard input (" + e.getMessage() + ")");
        }
        continue;
      }
      Path path = Path.of(given);
      List<Path> files;
      if (Files.isDirectory(path)) {
        try (Stream<Path> s = Files.list(path)) {
          files = s.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().matches(".*\\.(ya?ml|json)"))
              .sorted().toList();
        } catch (IOException e) {
          throw new InvalidInputException(given + ": cannot list the directory (" + e.getMessage() + ")");
        }
        if (files.isEmpty()) {
          throw new InvalidInputException(given + " holds no .yaml, .yml or .json file");
        }
      } else {
        files = List.of(path);
      }
      for (Path f : files) {
        String text;
        try {
          text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
          throw new InvalidInputException(f + ": no such file");
        } catch (IOException e) {
          throw new InvalidInputException(f + ": cannot read it (" + e.getMessage() + ")");
        }
        out.addAll(read(f.toString(), text, f.getFileName().toString().endsWith(".json")));
      }
    }
    if (out.isEmpty()) {
      throw new InvalidInputException(String.join(", ", paths) + " declares no object: give documents with kind: Service or kind: Identity");
    }
    return out;
  }

  /**
   * The objects in {@code text}, each with its source ("services.yaml line 3").
   *
   * @param file how to name the file in messages
   * @param json whether the text is JSON (else YAML)
   */
  public static List<ApplyObject> read(String file, String text, boolean json) {
    ObjectMapper mapper = json ? JSON : YAML;
    List<JsonNode> documents = new ArrayList<>();
    Map<String, Integer> lines = new HashMap<>();
    try {
      try (JsonParser p = mapper.getFactory().createParser(text)) {
        while (p.nextToken() != null) {
          JsonNode doc = mapper.readTree(p);
          documents.add(doc);
        }
      }
      try (JsonParser p = mapper.getFactory().createParser(text)) {
        indexLines(p, lines);
      }
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new InvalidInputException(file + (line > 0 ? " line " + line : "") + ": not valid " + (json ? "JSON" : "YAML")
          + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidInputException(file + ": cannot read it (" + e.getMessage() + ")");
    }
    List<ApplyObject> out = new ArrayList<>();
    for (int d = 0; d < documents.size(); d++) {
      JsonNode doc = documents.get(d);
      String at = "/" + d;
      if (doc == null || doc.isNull() || doc.isMissingNode()) {
        continue;
      }
      if (doc.isArray()) {
        for (int i = 0; i < doc.size(); i++) {
          out.add(object(mapper, file, doc.get(i), at + "/" + i, lines));
        }
      } else {
        out.add(object(mapper, file, doc, at, lines));
      }
    }
    return out;
  }

  private static ApplyObject object(ObjectMapper mapper, String file, JsonNode node, String at, Map<String, Integer> lines) {
    String source = file + " line " + lines.getOrDefault(at, 1);
    if (!node.isObject()) {
      throw new InvalidInputException(source + ": expected an object with kind, metadata and spec, not "
          + node.getNodeType().toString().toLowerCase(Locale.ROOT));
    }
    Document doc = bind(mapper, node, Document.class, file, at, lines, "", List.of("apiVersion", "kind", "metadata", "spec", "status"));
    if (doc.apiVersion() != null && !doc.apiVersion().equals(Manifest.API_VERSION)) {
      throw new InvalidInputException(line(file, at + "/apiVersion", lines) + ": apiVersion '" + doc.apiVersion()
          + "' is not known: use " + Manifest.API_VERSION + " (or leave it out)");
    }
    if (doc.kind() == null || doc.kind().isBlank()) {
      throw new InvalidInputException(source + ": an object needs kind: Service or kind: Identity");
    }
    if (doc.metadata() == null || doc.metadata().name() == null || doc.metadata().name().isBlank()) {
      throw new InvalidInputException(source + ": " + doc.kind() + " needs metadata.name");
    }
    String name = doc.metadata().name();
    JsonNode spec = doc.spec() == null || doc.spec().isNull() ? mapper.createObjectNode() : doc.spec();
    String what = doc.kind() + " '" + name + "'";
    ApplyObject.Builder b = ApplyObject.newBuilder().setSource(source);
    try {
      switch (doc.kind()) {
        case Manifest.SERVICE -> b.setService(bind(mapper, spec, ServiceFields.class, file, at + "/spec", lines, " in " + what,
            fieldNames(ServiceFields.class)).toProto(name));
        case Manifest.IDENTITY -> {
          bind(mapper, spec, IdentityFields.class, file, at + "/spec", lines, " in " + what + " (an identity's spec is empty)",
              List.of());
          b.setIdentity(IdentitySpec.newBuilder().setName(name));
        }
        default -> throw new InvalidInputException(line(file, at + "/kind", lines) + ": kind '" + doc.kind()
            + "' is not known: use Service or Identity");
      }
    } catch (InvalidInputException e) {
      if (e.getMessage().startsWith(file + " line ")) {
        throw e;
      }
      throw new InvalidInputException(source + ": " + what + ": " + e.getMessage());
    }
    return b.build();
  }

  private static <T> T bind(ObjectMapper mapper, JsonNode node, Class<T> type, String file, String at,
      Map<String, Integer> lines, String where, Collection<String> known) {
    try {
      return mapper.treeToValue(node, type);
    } catch (UnrecognizedPropertyException e) {
      String field = e.getPropertyName();
      String pointer = at + pointer(e);
      String hint = Suggest.nearest(field, known).map(s -> " (did you mean '" + s + "'?)").orElse("");
      throw new InvalidInputException(line(file, pointer, lines) + ": unknown field '" + field + "'" + where + hint);
    } catch (JsonMappingException e) {
      String pointer = at + pointer(e);
      List<JsonMappingException.Reference> path = e.getPath();
      String field = path.stream().map(JsonMappingException.Reference::getFieldName).filter(java.util.Objects::nonNull)
          .reduce((a, b) -> b).orElse("");
      boolean item = !path.isEmpty() && path.get(path.size() - 1).getFieldName() == null;
      Class<?> target = e instanceof MismatchedInputException m ? m.getTargetType() : null;
      throw new InvalidInputException(line(file, pointer, lines) + ": field '" + field + "'" + where
          + " has a value of the wrong type: " + expected(target, item));
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(line(file, at, lines) + ": " + e.getOriginalMessage());
    }
  }

  private static String pointer(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      b.append('/').append(r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex()));
    }
    return b.toString();
  }

  private static String line(String file, String pointer, Map<String, Integer> lines) {
    // The nearest enclosing element whose line is known.
    String p = pointer;
    while (!lines.containsKey(p) && p.lastIndexOf('/') > 0) {
      p = p.substring(0, p.lastIndexOf('/'));
    }
    return file + " line " + lines.getOrDefault(p, 1);
  }

  private static String expected(Class<?> target, boolean item) {
    String one = target == String.class ? "a string"
        : target == Integer.class || target == int.class ? "a whole number"
        : target == Boolean.class || target == boolean.class ? "true or false"
        : "a value of another shape";
    return item ? "give a list of " + one.substring(2) + "s (or just one)" : "give " + one;
  }

  private static List<String> fieldNames(Class<? extends Record> type) {
    return java.util.Arrays.stream(type.getRecordComponents()).map(java.lang.reflect.RecordComponent::getName).toList();
  }

  /** Where the token walk is inside one container. */
  private static final class Frame {
    final boolean array;
    String name;
    int index = -1;

    Frame(boolean array) {
      this.array = array;
    }

    String segment() {
      return array ? Integer.toString(index) : name;
    }
  }

  /**
   * Walks the tokens and remembers the line of each field and list item, keyed as a JSON
   * pointer prefixed with the document's index: "/0/spec/connect/1".
   */
  private static void indexLines(JsonParser p, Map<String, Integer> lines) throws IOException {
    Deque<Frame> stack = new ArrayDeque<>();
    int doc = -1;
    JsonToken t;
    while ((t = p.nextToken()) != null) {
      int line = p.currentTokenLocation().getLineNr();
      if (t == JsonToken.FIELD_NAME) {
        stack.peek().name = p.currentName();
        lines.putIfAbsent(path(doc, stack), line);
        continue;
      }
      if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
        stack.pop();
        continue;
      }
      if (stack.isEmpty()) {
        doc++;
      } else if (stack.peek().array) {
        stack.peek().index++;
      }
      // A value's line; for an object in YAML, where its first field is.
      lines.putIfAbsent(path(doc, stack), line);
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        stack.push(new Frame(t == JsonToken.START_ARRAY));
      }
    }
  }

  private static String path(int doc, Deque<Frame> stack) {
    StringBuilder b = new StringBuilder("/").append(doc);
    stack.descendingIterator().forEachRemaining(f -> b.append('/').append(f.segment()));
    return b.toString();
  }
}
