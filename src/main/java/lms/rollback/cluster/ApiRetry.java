package lms.rollback.cluster;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.function.Supplier;
import lms.rollback.core.Progress;

/**
 * Retries a call to the API server on what is worth retrying (unreachable, 409 conflict, 429,
 * 5xx) with exponential backoff, telling the user of each failed attempt, then gives up with one
 * line that says what was attempted, how often, and why it failed.
 */
public final class ApiRetry {

  public static final int DEFAULT_ATTEMPTS = 5;
  public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofMillis(200);

  private final int attempts;
  private final Duration firstBackoff;
  private final Progress progress;

  public ApiRetry(int attempts, Duration firstBackoff, Progress progress) {
    if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1");
    this.attempts = attempts;
    this.firstBackoff = firstBackoff;
    this.progress = progress;
  }

  public static ApiRetry defaults(Progress progress) {
    return new ApiRetry(DEFAULT_ATTEMPTS, DEFAULT_FIRST_BACKOFF, progress);
  }

  public <T> T call(String what, Supplier<T> action) {
    Duration backoff = firstBackoff;
    KubernetesClientException last = null;
    long started = System.nanoTime();
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        return action.get();
      } catch (KubernetesClientException e) {
        if (!retryable(e)) {
          throw e;
        }
        last = e;
        if (attempt == 1 && attempts > 1 && staleConnection(e)) {
          // a pooled keep-alive connection a server or proxy had just closed: the request never reached it, and an
          // HTTP client sends it again at once on a new connection (OkHttp's retryOnConnectionFailure); not worth a
          // line. Our own cause of it, a log stream closed after its end, is gone (BlueLogScanTest, one attempt).
          continue;
        }
        if (attempt < attempts) {
          progress.say(String.format("  %s: attempt %d/%d failed (%s); retrying in %d ms", what, attempt, attempts, reason(e),
              backoff.toMillis()));
          sleep(backoff);
          backoff = backoff.multipliedBy(2);
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    throw new ClusterException(String.format("%s failed after %d attempts over %.1f s: %s", what, attempts, seconds, reason(last)), last);
  }

  public void run(String what, Runnable action) {
    call(what, () -> {
      action.run();
      return null;
    });
  }

  /** Vert.x's word for a connection closed under a request before any answer came. */
  static boolean staleConnection(KubernetesClientException e) {
    return e.getCode() <= 0 && reason(e).equals("API server unreachable (Connection was closed)");
  }

  public static boolean retryable(KubernetesClientException e) {
    int code = e.getCode();
    return code <= 0 || code == 409 || code == 429 || code >= 500;
  }

  /** The shortest honest account of a failure: HTTP status and message, or the network error. */
  public static String reason(KubernetesClientException e) {
    if (e.getCode() > 0) {
      String msg = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
      return "HTTP " + e.getCode() + " " + firstLine(msg);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return "API server unreachable (" + firstLine(msg) + ")";
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted while waiting to retry");
    }
  }
}
