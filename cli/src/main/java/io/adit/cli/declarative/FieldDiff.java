package io.adit.cli.declarative;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adit.api.v1.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** A service's spec change field by field, in the file's own names and spelling ("connectTimeout: 10s"). */
public final class FieldDiff {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  /** One field: its value before and after; null where it is unset (the default). */
  public record Change(String field, Object before, Object after) {}

  private FieldDiff() {}

  public static List<Change> of(ServiceSpec before, ServiceSpec after) {
    Map<String, Object> a = MAPPER.convertValue(ServiceFields.of(before), MAP);
    Map<String, Object> b = MAPPER.convertValue(ServiceFields.of(after), MAP);
    Set<String> fields = new LinkedHashSet<>(a.keySet());
    fields.addAll(b.keySet());
    List<Change> out = new ArrayList<>();
    for (String f : fields) {
      if (!Objects.equals(a.get(f), b.get(f))) {
        out.add(new Change(f, a.get(f), b.get(f)));
      }
    }
    return out;
  }
}
