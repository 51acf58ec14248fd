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

  // a repeated key would otherwise win silently (allowAdministratorOverride: false, then true)
  private final ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder().enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
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
  public static final long MAX_PLAN_BYTES = 1024 * 1024;

  public Plan load(Path file) {
    if (file == null) {
      return loadDefault();
    }
    try {
      // a plan is a few KB: a huge file (a 10 MB scalar, say) is refused before YAML spends seconds on it
      long size = Files.size(file);
      if (size > MAX_PLAN_BYTES) {
        throw new PlanException(file.toString(), "", "is " + size + " bytes; a plan is a few KB, at most " + MAX_PLAN_BYTES + " bytes");
      }
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
      String original = e.getOriginalMessage();
      if (original != null && original.startsWith("Duplicate field") && e.getLocation() != null) {
        throw new PlanException(source, "line " + e.getLocation().getLineNr(), original + " again: a key may appear once (the second would silently win)");
      }
      throw describe(e, content, source);
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

  private PlanException describe(JsonMappingException e, byte[] content, String source) {
    String path = path(e.getPath());
    if (e.getOriginalMessage() != null && e.getOriginalMessage().contains(" in 'reader', line ")) {
      return syntax(e.getOriginalMessage(), source);
    }
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
    if (e instanceof MismatchedInputException mismatch) {
      var m = MISSING.matcher(e.getOriginalMessage());
      if (m.find()) {
        // Jackson checks required fields before unknown ones: a misspelt key shows up as a missing one
        PlanException unknown = unknownKeyIn(content, e.getPath(), source);
        if (unknown != null) return unknown;
        String field = path.endsWith(m.group(1)) ? path : path.isEmpty() ? m.group(1) : path + "." + m.group(1);
        return new PlanException(source, field, "missing required field");
      }
      String expected = e instanceof MismatchedInputException mi && mi.getTargetType() != null
          ? "expected " + simpleName(mi.getTargetType()) : e.getOriginalMessage();
      return new PlanException(source, path, "wrong kind of value; " + expected);
    }
    return new PlanException(source, path, e.getOriginalMessage());
  }

  /** The first key of the object at {@code refs} that {@code type} (a record) does not have, as an error. */
  private PlanException unknownKeyIn(byte[] content, List<JsonMappingException.Reference> refs, String source) {
    if (refs.isEmpty()) return null;
    Object from = refs.get(refs.size() - 1).getFrom();
    Class<?> type = from instanceof Class<?> c ? c : from == null ? null : from.getClass();
    if (type == null || !type.isRecord()) return null;
    try {
      com.fasterxml.jackson.databind.JsonNode node = yaml.readTree(content);
      List<JsonMappingException.Reference> objectPath = refs;
      // the last reference may name the missing property itself rather than the object holding it
      if (!refs.isEmpty() && refs.get(refs.size() - 1).getFieldName() != null
          && java.util.Arrays.stream(type.getRecordComponents()).anyMatch(c -> c.getName().equals(refs.get(refs.size() - 1).getFieldName()))) {
        objectPath = refs.subList(0, refs.size() - 1);
      }
      for (JsonMappingException.Reference r : objectPath) {
        node = r.getFieldName() != null ? node.path(r.getFieldName()) : node.path(r.getIndex());
      }
      TreeSet<String> known = new TreeSet<>();
      for (var c : type.getRecordComponents()) known.add(c.getName());
      for (var it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!known.contains(key)) {
          String at = path(objectPath);
          return new PlanException(source, at.isEmpty() ? key : at + "." + key, "unknown field; allowed here: " + String.join(", ", known));
        }
      }
    } catch (IOException ignored) {
      // fall back to the missing-field message
    }
    return null;
  }

  /** SnakeYAML's several-line message as one line: "line 3: while parsing …; expected …". */
  private static PlanException syntax(String message, String source) {
    var line = Pattern.compile("in 'reader', line (\\d+)").matcher(message);
    String where = line.find() ? "line " + line.group(1) : "";
    List<String> parts = new ArrayList<>();
    for (String l : message.split("\n")) {
      if (!l.isBlank() && !l.startsWith(" ") && !l.strip().equals("^")) parts.add(l.strip());
    }
    return new PlanException(source, where, "not valid YAML: " + String.join("; ", parts));
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
