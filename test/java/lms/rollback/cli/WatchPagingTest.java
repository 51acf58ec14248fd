package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import lms.rollback.notify.EmailChannel;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * §2.1 "Alert" follows §3.3 for automatic triggers too: the watch's alert reaches whom `lmsctl contacts` names for the
 * trigger (AUTO-003 the DBA On-Call, AUTO-004 the Security On-Call), and carries the evidence — never an empty "()".
 */
class WatchPagingTest {

  @RegisterExtension
  static GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

  @TempDir Path out;

  /**
   * A Prometheus answering the plan's queries for a healthy Green, but for its database connections failing at
   * {@code dbFailurePercent} and {@code criticalAlerts} critical security alerts firing.
   */
  static HttpServer prometheus(double dbFailurePercent, int criticalAlerts) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.createContext("/api/v1/", ex -> {
      Map<String, String> q = new HashMap<>();
      for (String pair : ex.getRequestURI().getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        q.put(kv[0], URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
      }
      String query = q.get("query");
      double value = query.contains("ALERTS") ? criticalAlerts : query.contains("lms_db_connection") ? dbFailurePercent
          : query.contains("code!~") ? 100 : query.contains("code=~") ? 0 : query.contains("histogram_quantile") ? 0.1 : 40;
      String v = String.format(Locale.ROOT, "\"%s\"", value);
      String body;
      if (ex.getRequestURI().getPath().endsWith("query_range")) {
        double start = Double.parseDouble(q.get("start"));
        double end = Double.parseDouble(q.get("end"));
        double step = Double.parseDouble(q.get("step").replace("s", ""));
        StringBuilder values = new StringBuilder();
        for (double t = start; t <= end + 1e-6; t += step) {
          values.append(values.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "[%.3f,%s]", t, v));
        }
        body = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[" + values + "]}]}}";
      } else {
        body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":["
            + String.format(Locale.ROOT, "%.3f", Double.parseDouble(q.getOrDefault("time", "0"))) + "," + v + "]}]}}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.start();
    return server;
  }

  record Watched(Cli.Run run, String alert, List<String> alertMailTo) {}

  /** `lmsctl watch` on the sandbox against {@code prometheus}: what it printed, the war room's alert and whom the on-call alert mailed. */
  private Watched watch(HttpServer prometheus) throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Map<String, String> env = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url(), EmailChannel.HOST, "127.0.0.1", EmailChannel.PORT,
          String.valueOf(smtp.getSmtp().getPort()), EmailChannel.TLS, "none", EmailChannel.FROM, "lms-rollback@company.test");
      Cli.Run run = LmsctlProcess.run(env, "watch", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--out-dir",
          out.resolve("watched").toString(), "--prometheus", "http://127.0.0.1:" + prometheus.getAddress().getPort() + "/", "--for", "10s",
          "--interval", "1s", "--lock-wait", "5s");
      String alert = warRoom.bodies.isEmpty() ? "" : new ObjectMapper().readTree(warRoom.bodies.get(0)).path("text").asText();
      return new Watched(run, alert, recipientsOf("on-call-alert"));
    } finally {
      prometheus.stop(0);
    }
  }

  /** Whom the mail of {@code message} went to (GreenMail keeps one copy per recipient). */
  private static List<String> recipientsOf(String message) throws Exception {
    Map<String, MimeMessage> byId = new LinkedHashMap<>();
    for (MimeMessage m : smtp.getReceivedMessages()) byId.putIfAbsent(m.getMessageID(), m);
    for (MimeMessage m : byId.values()) {
      if (m.getSubject() != null && m.getSubject().endsWith(": " + message)) {
        return Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Object::toString).toList();
      }
    }
    return List.of();
  }

  @Test
  void aDatabaseConnectionFailureAlertsTheDbaOnCallAsContactsSays() throws Exception {
    // Given every database connection of Green failing (AUTO-003), nothing else wrong
    Watched w = watch(prometheus(100, 0));

    // Then AUTO-003 held (the rollback itself is refused: no smoke credentials — the alert goes out whatever becomes of it)
    assertEquals(2, w.run().exit(), w.run().out() + w.run().err());
    assertTrue(w.run().out().contains("AUTO-003 held (held at all"), w.run().out());
    // and the on-call alert reached whom §3.3 pages for a database issue: the DBA On-Call with the first responders
    assertEquals(List.of("lms-devops-oncall@company.com", "lms-release-commanders@company.com", "lms-dba-oncall@company.com"), w.alertMailTo(),
        "the alert's recipients");
    Cli.Run contacts = Cli.lmsctl("contacts", "--trigger", "AUTO-003", "--out-dir", out.resolve("contacts").toString());
    assertTrue(contacts.out().contains("DBA On-Call") && contacts.out().contains("lms-dba-oncall@company.com"), contacts.out());
    // the war room reads the evidence and who was paged
    assertTrue(w.alert().startsWith("🚨 ALERT: AUTO-003"), w.alert());
    assertTrue(w.alert().contains("Evidence: dbFailurePercent &gt;= 100.0 for 30s: held at all 4 samples"), w.alert());
    assertTrue(w.alert().contains("Paged (§3.3): DevOps On-Call, Release Commander, DBA On-Call"), w.alert());
  }

  @Test
  void aCriticalSecurityAlertAlertsTheSecurityOnCallWithItsEvidence() throws Exception {
    // Given two critical security alerts firing (AUTO-004: one reading, no sustained window)
    Watched w = watch(prometheus(0, 2));

    String said = w.run().out() + w.run().err();
    assertTrue(w.run().out().contains("AUTO-004 held (criticalSecurityAlerts was 2 at "), said);
    assertTrue(w.run().err().contains("AUTO-004 holds (criticalSecurityAlerts was 2 at "), said);
    assertFalse(said.contains("()"), "no empty evidence: " + said);
    assertEquals(List.of("lms-devops-oncall@company.com", "lms-release-commanders@company.com", "lms-security-oncall@company.com"), w.alertMailTo(),
        "the alert's recipients");
    assertTrue(w.alert().contains("Evidence: criticalSecurityAlerts &gt;= 1.0 for 0s: criticalSecurityAlerts was 2 at "), w.alert());
    assertTrue(w.alert().contains("Paged (§3.3): DevOps On-Call, Release Commander, Security On-Call"), w.alert());
  }
}
