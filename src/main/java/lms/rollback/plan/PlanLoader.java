package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Reads a plan from YAML and refuses it, naming file, field and what is allowed, if anything is off. */
public final class PlanLoader {

  /** Where the default plan lives: under resources/ for Jenkins' libraryResource, and in the jar. */
  public static final String DEFAULT_RESOURCE = "lms/rollback/rollback-plan.yaml";
  private static final Pattern MISSING = Pattern.compile("Missing required creator property '([^']+)'");

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  public Plan loadDefault() {
    try (InputStream in = PlanLoader.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new PlanException(DEFAULT_RESOURCE, "", "the built-in plan is missing from the jar");
      }
      return parse(in.readAllBytes(), "built-in " + DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new PlanException(DEFAULT_RESOURCE, "", "cannot read the built-in plan: " + e.getMessage());
    }
  }

  /** The plan in {@code file}, or the built-in one when {@code file} is null. */
  public Plan load(Path file) {
    if (file == null) {
      return loadDefault();
    }
    try {
      return parse(Files.readAllBytes(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new PlanException(file.toString(), "", "no such file");
    } catch (IOException e) {
      throw new PlanException(file.toString(), "", "cannot read: " + e.getMessage());
    }
  }

  public Plan parse(byte[] content, String source) {
    Plan plan;
    try {
      plan = yaml.readValue(content, Plan.class);
    } catch (JsonMappingException e) {
      throw describe(e, source);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr();
      throw new PlanException(source, where, "not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new PlanException(source, "", "cannot read: " + e.getMessage());
    }
    if (plan == null) {
      throw new PlanException(source, "", "empty plan");
    }
    new PlanValidator(source).validate(plan);
    return plan;
  }

  private static PlanException describe(JsonMappingException e, String source) {
    String path = path(e.getPath());
    if (e instanceof UnrecognizedPropertyException u) {
      TreeSet<String> known = new TreeSet<>();
      if (u.getKnownPropertyIds() != null) u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      return new PlanException(source, path, "unknown field; allowed here: " + String.join(", ", known));
    }
    if (e instanceof ValueInstantiationException && e.getCause() != null) {
      return new PlanException(source, path, e.getCause().getMessage());
    }
    if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
      return new PlanException(source, path, "'" + f.getValue() + "' is not allowed; allowed: " + String.join(", ", enumNames(f.getTargetType())));
    }
    if (e instanceof MismatchedInputException) {
      var m = MISSING.matcher(e.getOriginalMessage());
      if (m.find()) {
        return new PlanException(source, path.isEmpty() ? m.group(1) : path + "." + m.group(1), "missing required field");
      }
      String expected = e instanceof MismatchedInputException mi && mi.getTargetType() != null
          ? "expected " + simpleName(mi.getTargetType()) : e.getOriginalMessage();
      return new PlanException(source, path, "wrong kind of value; " + expected);
    }
    return new PlanException(source, path, e.getOriginalMessage());
  }

  private static String simpleName(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class) return "a whole number";
    if (type == Double.class || type == double.class) return "a number";
    if (type == String.class) return "a text";
    if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) return "a mapping (key: value)";
    if (java.util.List.class.isAssignableFrom(type)) return "a list";
    return type.getSimpleName();
  }

  static List<String> enumNames(Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Object constant : type.getEnumConstants()) {
      try {
        JsonProperty p = type.getField(((Enum<?>) constant).name()).getAnnotation(JsonProperty.class);
        names.add(p != null ? p.value() : ((Enum<?>) constant).name());
      } catch (NoSuchFieldException e) {
        names.add(((Enum<?>) constant).name());
      }
    }
    return names;
  }

  private static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) sb.append('.');
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}
