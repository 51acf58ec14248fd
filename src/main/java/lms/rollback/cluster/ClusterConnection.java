package lms.rollback.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/**
 * How to reach the API server: a kubeconfig file (or the usual KUBECONFIG / ~/.kube/config /
 * in-cluster lookup when none is named) and an optional context. The client's own retries are
 * switched off because {@link ApiRetry} retries with journaled, visible attempts.
 */
public record ClusterConnection(Path kubeconfig, String context) {

  public static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  public static final int REQUEST_TIMEOUT_MILLIS = 15_000;

  private static boolean namesACluster(String text) {
    try {
      var tree = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(text);
      return tree != null && tree.path("clusters").isArray() && !tree.path("clusters").isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  public KubernetesClient open() {
    Config config;
    if (kubeconfig != null) {
      String text;
      try {
        text = Files.readString(kubeconfig);
      } catch (IOException e) {
        throw new LmsException(ExitCode.INVALID_INPUT, "--kubeconfig: cannot read " + kubeconfig + ": " + e.getMessage());
      }
      // a file that names no cluster would silently fall back to the in-cluster address
      if (!namesACluster(text)) {
        throw new LmsException(ExitCode.INVALID_INPUT, "--kubeconfig: " + kubeconfig + " is not a kubeconfig (it names no cluster); give the file kubectl uses");
      }
      config = Config.fromKubeconfig(context, text, kubeconfig.toString());
    } else {
      config = Config.autoConfigure(context);
    }
    config.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
    config.setRequestTimeout(REQUEST_TIMEOUT_MILLIS);
    return client(config);
  }

  /** What lmsctl's requests say they are; up to its '/', the field manager an API server records for lmsctl's writes. */
  public static final String USER_AGENT = "lmsctl/1";

  /** A client that talks to the API server of {@code config} as lmsctl's do (the sandbox's own client too). */
  public static KubernetesClient client(Config config) {
    config.setRequestRetryBackoffLimit(0);
    // the API server records a write's field manager from it: lmsctl's own writes are told from anyone else's (OtherWriter)
    config.setUserAgent(USER_AGENT);
    // watches stream over HTTP, as kubectl's do: every API server serves them, and no websocket is tried first
    config.setOnlyHttpWatches(true);
    return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(httpClients()).build();
  }

  /**
   * The HTTP client every client of lmsctl's is built on, named rather than left to fabric8's choice (with Vert.x on the
   * class path for the sandbox's mock server, fabric8 would pick one of the two at random): the JDK's, because each
   * lmsctl call is a new JVM, and Vert.x's event loops cost it about half a second to start and to stop.
   */
  public static io.fabric8.kubernetes.client.http.HttpClient.Factory httpClients() {
    return new io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory();
  }
}
