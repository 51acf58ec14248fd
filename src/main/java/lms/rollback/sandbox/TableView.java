package lms.rollback.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Server-side printing (meta.k8s.io/v1 Table), which kubectl asks for on every "get": the columns a
 * real API server gives pods and deployments, and NAME / AGE for anything else.
 */
final class TableView {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TableView() {}

  static ObjectNode of(JsonNode listOrObject, String includeObject) {
    ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", listOrObject.path("metadata").path("resourceVersion").asText(""));
    List<JsonNode> items = listOrObject.has("items") ? toList(listOrObject.get("items")) : List.of(listOrObject);
    String kind = listOrObject.path("kind").asText("").replaceFirst("List$", "");
    ArrayNode columns = table.putArray("columnDefinitions");
    List<String> names = switch (kind) {
      case "Pod" -> List.of("Name", "Ready", "Status", "Restarts", "Age");
      case "Deployment" -> List.of("Name", "Ready", "Up-to-date", "Available", "Age");
      default -> List.of("Name", "Age");
    };
    for (String n : names) {
      columns.addObject().put("name", n).put("type", n.equals("Restarts") ? "integer" : "string").put("format", n.equals("Name") ? "name" : "")
          .put("description", n).put("priority", 0);
    }
    ArrayNode rows = table.putArray("rows");
    for (JsonNode item : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(item.path("metadata").path("name").asText());
      switch (kind) {
        case "Pod" -> {
          int total = item.path("spec").path("containers").size();
          int ready = 0;
          for (JsonNode cs : item.path("status").path("containerStatuses")) if (cs.path("ready").asBoolean()) ready++;
          boolean terminating = item.path("metadata").has("deletionTimestamp")
              || item.path("metadata").path("annotations").has(StandInController.TERMINATING);
          cells.add(ready + "/" + total).add(terminating ? "Terminating" : item.path("status").path("phase").asText("Pending")).add(0);
        }
        case "Deployment" -> {
          JsonNode st = item.path("status");
          cells.add(st.path("readyReplicas").asInt(0) + "/" + item.path("spec").path("replicas").asInt(1))
              .add(st.path("updatedReplicas").asInt(0)).add(st.path("availableReplicas").asInt(0));
        }
        default -> { }
      }
      cells.add(age(item.path("metadata").path("creationTimestamp").asText(null)));
      if ("None".equals(includeObject)) continue;
      if ("Object".equals(includeObject)) {
        row.set("object", item);
      } else {
        ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", item.path("metadata"));
      }
    }
    return table;
  }

  private static List<JsonNode> toList(JsonNode array) {
    java.util.ArrayList<JsonNode> list = new java.util.ArrayList<>();
    array.forEach(list::add);
    return list;
  }

  static String age(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) return "<unknown>";
    Duration d = Duration.between(Instant.parse(timestamp), Instant.now());
    if (d.toDays() > 0) return d.toDays() + "d";
    if (d.toHours() > 0) return d.toHours() + "h";
    if (d.toMinutes() > 0) return d.toMinutes() + "m";
    return Math.max(0, d.toSeconds()) + "s";
  }
}
