package lms.rollback.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import lms.rollback.audit.Journal;

/**
 * An incoming webhook (Slack, Teams, or anything taking a JSON POST): {"text": "…"}. The URL's
 * path is often the secret itself, so only its scheme and host are ever shown.
 */
public final class WebhookChannel implements Channel {

  public static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  private final URI url;

  public WebhookChannel(URI url) {
    this.url = url;
  }

  /**
   * Text as Slack-style webhooks read it, where &lt;!channel&gt; pings everyone and &lt;url|label&gt; is a link: the
   * three control characters are escaped, so a typed reason stays text (our templates carry no markup).
   */
  static String chatText(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public String describe() {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + "/…";
  }

  /**
   * The largest body a notice is sent as, in bytes: under Microsoft Teams' 28 KB for an incoming webhook (Slack takes
   * 40,000 characters). A longer text is cut to fit, saying so: a notice that is refused for its size never arrives (#38).
   */
  public static final int MAX_BODY_BYTES = 24 * 1024;

  /** The JSON body for {@code text}, cut at the end (saying how much) where it would exceed {@link #MAX_BODY_BYTES}. */
  static String body(String text) {
    String whole = Journal.json(Map.of("text", chatText(text)));
    if (whole.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_BODY_BYTES) return whole;
    int low = 0;
    int high = text.length();
    String fits = null;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int end = mid > 0 && Character.isHighSurrogate(text.charAt(mid - 1)) ? mid - 1 : mid;
      String cut = text.substring(0, end) + "\n… (cut: " + (text.length() - end) + " more characters, too long for the webhook)";
      String candidate = Journal.json(Map.of("text", chatText(cut)));
      if (candidate.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_BODY_BYTES) {
        fits = candidate;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return fits;
  }

  @Override
  public void deliver(RenderedMessage message) throws DeliveryException {
    HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body(message.text()))).build();
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new DeliveryException("HTTP " + r.statusCode() + " from " + describe(), r.statusCode() >= 500 || r.statusCode() == 429);
      }
    } catch (IOException e) {
      throw new DeliveryException("cannot reach " + describe() + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryException("interrupted", false);
    }
  }
}
