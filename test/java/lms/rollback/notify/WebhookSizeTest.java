package lms.rollback.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import lms.rollback.testing.HttpReceiver;
import org.junit.jupiter.api.Test;

/** #38 item 14: a notice longer than a Teams-sized webhook takes (28 KB) is cut to fit, saying so, and arrives. */
class WebhookSizeTest {

  @Test
  void aNoticeWithA120KbReasonArrivesWithinTheWebhooksSize() throws Exception {
    String text = "ROLLBACK DECISION NEEDED\nReason: " + "<é>".repeat(40 * 1024) + "\nDecide by 02:15";
    try (HttpReceiver teams = new HttpReceiver()) {
      new WebhookChannel(URI.create(teams.url())).deliver(new RenderedMessage("gate", "war-room", null, text));

      assertEquals(1, teams.bodies.size());
      String body = teams.bodies.get(0);
      assertTrue(body.getBytes(StandardCharsets.UTF_8).length <= WebhookChannel.MAX_BODY_BYTES && WebhookChannel.MAX_BODY_BYTES < 28 * 1024,
          body.length() + " bytes");
      assertTrue(body.startsWith("{\"text\":\"ROLLBACK DECISION NEEDED") && body.contains("more characters, too long for the webhook)"), body.substring(0, 200));
    }
    // a notice that fits is sent as it is
    String small = WebhookChannel.body("ROLLBACK INITIATED");
    assertTrue(small.contains("ROLLBACK INITIATED") && !small.contains("cut:"), small);
  }
}
