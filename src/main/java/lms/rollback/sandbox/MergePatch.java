package lms.rollback.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** RFC 7386 JSON merge patch: objects merge, null removes, everything else (arrays too) replaces. */
final class MergePatch {
  private MergePatch() {}

  static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
        : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = patch.fieldNames(); it.hasNext(); ) names.add(it.next());
    for (String name : names) {
      JsonNode value = patch.get(name);
      if (value.isNull()) {
        result.remove(name);
      } else {
        result.set(name, apply(result.get(name), value));
      }
    }
    return result;
  }
}
