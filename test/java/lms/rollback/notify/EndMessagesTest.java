package lms.rollback.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.plan.PlanLoader;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import lms.rollback.testing.ServedSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #36 items 5, 7 and 9: the end messages say what users have — a verified Blue is "service restored" even when Green's
 * shutdown is late, an unchecked Blue is never "complete" or "operational", and §10's step verbs are reported as the
 * steps they ran.
 */
class EndMessagesTest {

  @TempDir Path dir;

  @Test
  void aSlowGreenShutdownAfterAVerifiedSwitchIsServiceRestoredWithACleanupFollowUp() throws Exception {
    // Given scenario B whose Green shutdown has 3s, while Green's pods take 20s to end; the war room and status page answer
    Path plan = dir.resolve("plan.yaml");
    String yaml = builtInPlan();
    String stopGreen = "      - { action: stop-green,      title: \"Scale down Green\",       budget: 2m }\n"
        + "      - { action: confirm,         title: \"Confirm success\",        budget: 1m }";
    assertTrue(yaml.contains(stopGreen), "the built-in plan's scenario B changed");
    Files.writeString(plan, yaml.replace(stopGreen, stopGreen.replace("budget: 2m", "budget: 3s")));
    Path out = dir.resolve("run");
    try (HttpReceiver warRoom = new HttpReceiver(); HttpReceiver statusPage = new HttpReceiver()) {
      // When the sandbox rolls back
      Cli.Run run = LmsctlProcess.run(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url(), "LMS_STATUS_PAGE_WEBHOOK", statusPage.url()),
          "sandbox", "--plan", plan.toString(), "--termination-delay", "20s", "--out-dir", out.toString());

      // Then the run says where it stopped (Green's shutdown), but nobody is told the rollback failed
      assertTrue(run.out().contains("STOPPED at stop-green"), run.out() + run.err());
      String last = warRoom.bodies.get(warRoom.bodies.size() - 1);
      assertTrue(last.contains("SERVICE RESTORED"), last);
      assertTrue(last.contains("Green still running, cleanup overdue"), last);
      assertTrue(last.contains("not done: Confirm success"), last);
      assertFalse(String.join("\n", warRoom.bodies).contains("FAILED"), String.join("\n", warRoom.bodies));
      String end = statusPage.bodies.get(statusPage.bodies.size() - 1);
      assertTrue(end.contains("resolved") && end.contains("operational"), end);
      assertFalse(end.contains("degraded. The rollback did not complete"), end);
      // the stakeholders' mail (not configured here: rendered into the journal) has the version read from Blue
      String mail = journaledText(out, "stakeholder-notification");
      assertTrue(mail.contains("Service status: OPERATIONAL"), mail);
      assertTrue(mail.contains("Current version: 2.4.1"), mail);
      assertFalse(mail.contains("DEGRADED") || mail.contains("unknown (not read from Blue)"), mail);
      // and the report leads with it
      String md = Files.readString(out.resolve("rollback-report.md"));
      assertTrue(md.contains("SERVICE RESTORED: traffic is on a Blue that passed its checks"), md);
    }
  }

  @Test
  void aClusterOnlyRunIsNeverCalledCompleteOrOperational() throws Exception {
    try (Sandbox sandbox = Sandbox.start(dir); HttpReceiver warRoom = new HttpReceiver(); HttpReceiver statusPage = new HttpReceiver()) {
      // Given a production rollback that can see only the cluster (no HTTP probes, Prometheus or smoke tests)
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(dir.resolve("kubeconfig.yaml"));
      lms.rollback.testing.Approvals.byReleaseCommander(dir, "AUTO-001");

      // When it runs to its end
      Cli.Run run = LmsctlProcess.run(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url(), "LMS_STATUS_PAGE_WEBHOOK", statusPage.url()), "rollback",
          "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(), "--out-dir", dir.toString(),
          "--cluster-only", "--lock-wait", "5s", "--actor", "ops.oncall");

      // Then no message calls it complete or the service operational, and each names what was not checked
      assertEquals(0, run.exit(), run.out() + run.err());
      String last = warRoom.bodies.get(warRoom.bodies.size() - 1);
      assertTrue(last.contains("SWITCHED, UNVERIFIED"), last);
      assertTrue(last.contains("Prometheus") && last.contains("smoke tests"), last);
      assertFalse(last.contains("COMPLETE"), last);
      String end = statusPage.bodies.get(statusPage.bodies.size() - 1);
      assertFalse(end.contains("operational") || end.contains("resolved"), end);
      assertTrue(end.contains("still confirming"), end);
      String mail = journaledText(dir, "stakeholder-notification");
      assertTrue(mail.contains("Service status: NOT CONFIRMED"), mail);
      assertFalse(mail.contains("OPERATIONAL"), mail);
      String md = Files.readString(dir.resolve("rollback-report.md"));
      assertTrue(md.contains("NOT VERIFIED: not checked: Blue's health and version (HTTP)"), md);
    }
  }

  @Test
  void notifyAfterTheStepVerbsReportsTheStepsTheyRan() throws Exception {
    // Given §10's path on the served sandbox: switch, verify-blue, stop-green, one verb at a time
    try (ServedSandbox served = ServedSandbox.start(dir.resolve("sandbox"), Map.of())) {
      String kubeconfig = served.kubeconfig().toString();
      String plan = served.plan().toString();
      Path out = dir.resolve("steps");
      String[] common = {"--kubeconfig", kubeconfig, "--plan", plan, "--env", Sandbox.ENV, "--out-dir", out.toString()};
      assertEquals(0, LmsctlProcess.run(Map.of(), concat(new String[] {"switch"}, common)).exit());

      // When the war room's end message is rendered after the switch alone, it is not complete — and not failed either
      String early = Cli.lmsctl("notify", "--message", "rollback-complete", "--dry-run", "--plan", plan, "--env", Sandbox.ENV,
          "--out-dir", out.toString()).out();
      assertTrue(early.contains("ROLLBACK NOT COMPLETE"), early);
      assertTrue(early.contains("lmsctl verify-blue has not run yet"), early);
      assertFalse(early.contains("FAILED"), early);

      Cli.Run verified = LmsctlProcess.run(Map.of(), concat(new String[] {"verify-blue", "--window", "6s"}, common));
      assertEquals(0, verified.exit(), verified.out() + verified.err());
      assertEquals(0, LmsctlProcess.run(Map.of(), concat(new String[] {"stop-green"}, common)).exit());
      String done = Cli.lmsctl("notify", "--message", "rollback-complete", "--dry-run", "--plan", plan, "--env", Sandbox.ENV,
          "--out-dir", out.toString()).out();
      String mail = Cli.lmsctl("notify", "--message", "stakeholder-notification", "--dry-run", "--plan", plan, "--env", Sandbox.ENV,
          "--out-dir", out.toString()).out();

      // Then they are reported as the steps they were: complete, the version read from Blue, no placeholder left
      assertTrue(done.contains("ROLLBACK COMPLETE"), done);
      assertFalse(done.contains("[TRIGGER]") || done.contains("FAILED"), done);
      assertTrue(mail.contains("Service status: OPERATIONAL") && mail.contains("Current version: 2.4.1"), mail);
      assertFalse(mail.contains("DEGRADED"), mail);
    }
  }

  private static String builtInPlan() throws java.io.IOException {
    try (var in = PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** The text the run rendered for {@code message} (sent, or skipped where its channel is not configured). */
  private static String journaledText(Path out, String message) {
    return new Journal(out, "t").read().stream().filter(e -> e.type().startsWith("notify.") && message.equals(e.data().path("message").asText()))
        .reduce((a, b) -> b).map(e -> e.data().path("text").asText()).orElseThrow(() -> new AssertionError(message + " not journaled"));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

}
