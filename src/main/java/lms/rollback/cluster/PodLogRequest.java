package lms.rollback.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One container's log as {@code kubectl logs} reads it: a plain GET of the pod's log subresource, sent by the
 * client's own HTTP client (fabric8's log call first waits for the pod through an informer). {@code sinceSeconds}
 * null: the whole log.
 */
record PodLogRequest(String namespace, String pod, String container, Long sinceSeconds) {

  HttpRequest build(KubernetesClient client) {
    String master = client.getMasterUrl().toString();
    String url = master + (master.endsWith("/") ? "" : "/") + "api/v1/namespaces/" + namespace + "/pods/" + pod + "/log?container="
        + URLEncoder.encode(container, StandardCharsets.UTF_8) + (sinceSeconds == null ? "" : "&sinceSeconds=" + sinceSeconds);
    return client.getHttpClient().newHttpRequestBuilder().uri(url).build();
  }
}
