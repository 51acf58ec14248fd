package lms.rollback.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a real API server says about itself (/version, /api, /apis, /api/v1, /apis/GROUP/VERSION):
 * kubectl needs it to map "virtualservice" or "deploy" to a URL. Lists the kinds the sandbox serves.
 */
final class ApiDiscovery {

  record Kind(String group, String version, String plural, String singular, String kind, boolean namespaced,
      List<String> shortNames, List<String> subresources) {}

  static final List<Kind> KINDS = List.of(
      new Kind("", "v1", "namespaces", "namespace", "Namespace", false, List.of("ns"), List.of()),
      new Kind("", "v1", "pods", "pod", "Pod", true, List.of("po"), List.of("log", "status")),
      new Kind("", "v1", "services", "service", "Service", true, List.of("svc"), List.of()),
      new Kind("", "v1", "events", "event", "Event", true, List.of("ev"), List.of()),
      new Kind("apps", "v1", "deployments", "deployment", "Deployment", true, List.of("deploy"), List.of("scale", "status")),
      new Kind("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, List.of("rs"), List.of()),
      new Kind("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, List.of(), List.of()),
      new Kind("networking.istio.io", "v1", "virtualservices", "virtualservice", "VirtualService", true, List.of("vs"), List.of()),
      new Kind("networking.istio.io", "v1", "destinationrules", "destinationrule", "DestinationRule", true, List.of("dr"), List.of()));

  static final String GIT_VERSION = "v1.32.0-lms-sandbox";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ApiDiscovery() {}

  /** The discovery document for {@code path}, or empty when the path is not a discovery path. */
  static Optional<String> document(String path, String serverAddress) {
    if (path.equals("/version")) {
      return Optional.of(JSON.valueToTree(Map.of("major", "1", "minor", "32", "gitVersion", GIT_VERSION, "platform", "linux/amd64",
          "goVersion", "go1.23", "compiler", "gc", "buildDate", "2026-01-01T00:00:00Z", "gitCommit", "sandbox",
          "gitTreeState", "clean")).toString());
    }
    if (path.equals("/api")) {
      ObjectNode n = JSON.createObjectNode().put("kind", "APIVersions");
      n.putArray("versions").add("v1");
      n.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
      return Optional.of(n.toString());
    }
    if (path.equals("/apis")) {
      ObjectNode n = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
      ArrayNode groups = n.putArray("groups");
      KINDS.stream().map(Kind::group).filter(g -> !g.isEmpty()).distinct().forEach(g -> {
        String version = KINDS.stream().filter(k -> k.group().equals(g)).findFirst().orElseThrow().version();
        ObjectNode group = groups.addObject().put("name", g);
        group.putArray("versions").addObject().put("groupVersion", g + "/" + version).put("version", version);
        group.putObject("preferredVersion").put("groupVersion", g + "/" + version).put("version", version);
      });
      return Optional.of(n.toString());
    }
    String groupVersion = path.equals("/api/v1") ? "v1"
        : path.startsWith("/apis/") && path.split("/").length == 4 ? path.substring("/apis/".length()) : null;
    if (groupVersion == null) return Optional.empty();
    List<Kind> kinds = KINDS.stream().filter(k -> (k.group().isEmpty() ? k.version() : k.group() + "/" + k.version()).equals(groupVersion)).toList();
    if (kinds.isEmpty()) return Optional.empty();
    ObjectNode n = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", groupVersion);
    ArrayNode resources = n.putArray("resources");
    for (Kind k : kinds) {
      ObjectNode r = resources.addObject().put("name", k.plural()).put("singularName", k.singular()).put("namespaced", k.namespaced())
          .put("kind", k.kind());
      ArrayNode verbs = r.putArray("verbs");
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch").forEach(verbs::add);
      ArrayNode shorts = r.putArray("shortNames");
      k.shortNames().forEach(shorts::add);
      for (String sub : k.subresources()) {
        ObjectNode s = resources.addObject().put("name", k.plural() + "/" + sub).put("singularName", "").put("namespaced", k.namespaced())
            .put("kind", sub.equals("scale") ? "Scale" : k.kind());
        if (sub.equals("scale")) s.put("group", "autoscaling").put("version", "v1");
        ArrayNode sv = s.putArray("verbs");
        (sub.equals("log") ? List.of("get") : List.of("get", "patch", "update")).forEach(sv::add);
      }
    }
    return Optional.of(n.toString());
  }

  static Optional<Kind> byPlural(String plural) {
    return KINDS.stream().filter(k -> k.plural().equals(plural)).findFirst();
  }
}
