package lms.rollback.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import lms.rollback.plan.Environment;
import lms.rollback.verify.CheckResult;

/**
 * §4.2 step 1's "no new errors in Blue logs": every Blue container's log since the switch (the API's sinceSeconds,
 * streamed line by line, never held whole), its lines matched against the plan's error pattern.
 */
public final class BlueLogScan {

  public static final String CHECK = "Blue logs: no new errors";
  private static final int EXAMPLES = 3;

  private final ClusterSession cluster;
  private final Pattern error;

  public BlueLogScan(ClusterSession cluster, String errorPattern) {
    this.cluster = cluster;
    this.error = Pattern.compile(errorPattern);
  }

  /** Passes when no line since {@code since} ago matches; fails naming the count and the first lines; never throws for a pod gone. */
  public CheckResult scan(Environment env, Duration since) {
    long start = System.nanoTime();
    long seconds = Math.max(1, since.toSeconds() + 1);
    int matched = 0;
    int containers = 0;
    List<String> examples = new ArrayList<>();
    for (Pod pod : cluster.pods(env.namespace(), env.blue().podLabels())) {
      List<Container> cs = pod.getSpec() == null ? List.of() : pod.getSpec().getContainers();
      for (Container c : cs) {
        containers++;
        String podName = pod.getMetadata().getName();
        InputStream in = null;
        try {
          in = open(env.namespace(), podName, c.getName(), seconds);
          if (in == null) continue; // the pod went between the list and the read
          var lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
          String line;
          while ((line = lines.readLine()) != null) {
            line = plainText(line);
            if (error.matcher(line).find()) {
              matched++;
              if (examples.size() < EXAMPLES) examples.add(podName + ": " + (line.length() > 200 ? line.substring(0, 200) + "…" : line));
            }
          }
          // Read to its end, the stream is not closed: fabric8's close() cancels the body, and Vert.x then closes the
          // connection it has already put back in the pool, which the next request meets as "Connection was closed".
          in = null;
        } catch (IOException e) {
          return CheckResult.inconclusive(CHECK, "0 lines matching " + error.pattern(), millis(start), "the log of " + podName + " could not be read: " + e.getMessage());
        } finally {
          abandon(in);
        }
      }
    }
    String measured = matched + " line(s) in " + containers + " container(s) over the last " + seconds + "s";
    return matched == 0 ? CheckResult.pass(CHECK, measured, "0 lines matching " + error.pattern(), millis(start))
        : CheckResult.fail(CHECK, measured, "0 lines matching " + error.pattern(), millis(start), String.join(" | ", examples));
  }

  /** Terminal escape sequences (a coloured "ERROR") hide a word from the pattern's \\b: they are matched as text without them. */
  private static final Pattern ESCAPES = Pattern.compile("\u001B(?:\\[[0-?]*[ -/]*[@-~]|\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)|[@-Z\\\\-_])");

  static String plainText(String line) {
    return line.indexOf('\u001B') < 0 ? line : ESCAPES.matcher(line).replaceAll("");
  }

  /** A log left before its end: closing it cancels the rest of the response. */
  private static void abandon(InputStream in) {
    if (in == null) return;
    try {
      in.close();
    } catch (IOException ignored) {
      // the read already failed; that failure is what is reported
    }
  }

  /** One plain GET of the log since {@code seconds} ago; null on 404. */
  private InputStream open(String namespace, String pod, String container, long seconds) throws IOException {
    HttpClient http = cluster.client().getHttpClient();
    HttpRequest request = new PodLogRequest(namespace, pod, container, seconds).build(cluster.client());
    HttpResponse<InputStream> response;
    try {
      response = cluster.retry().call("read log of Blue pod " + pod, () -> {
        try {
          return http.sendAsync(request, InputStream.class).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          throw new KubernetesClientException("no answer: " + (e instanceof ExecutionException ? e.getCause() : e), e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new KubernetesClientException("interrupted", e);
        }
      });
    } catch (ClusterException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (response.code() == 404) {
      response.body().close();
      return null;
    }
    if (!response.isSuccessful()) {
      response.body().close();
      throw new IOException("HTTP " + response.code());
    }
    return response.body();
  }

  private static long millis(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}
