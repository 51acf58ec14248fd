package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.notify.EmailChannel;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * §9.1: a rehearsal on staging never reaches production's audience, whatever production's channels the machine running
 * it has bound (Jenkins binds the same credentials for both): no status page post, no stakeholder mail — only the
 * channels the plan gives a rehearsal.
 */
class RehearsalAudienceTest {

  @RegisterExtension
  static GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

  @TempDir Path out;

  /** Production's channels, all bound, as the Jenkinsfile binds them for a rehearsal too. */
  private Map<String, String> productionChannels(HttpReceiver warRoom, HttpReceiver statusPage) {
    Map<String, String> env = new HashMap<>();
    env.put("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
    env.put("LMS_STATUS_PAGE_WEBHOOK", statusPage.url());
    env.put("LMS_STAKEHOLDER_EMAILS", "all-staff@company.test");
    env.put(EmailChannel.HOST, "127.0.0.1");
    env.put(EmailChannel.PORT, String.valueOf(smtp.getSmtp().getPort()));
    env.put(EmailChannel.TLS, "none");
    return env;
  }

  /** The traffic-switch rehearsal (scenario A) on the staging sandbox, as its own lmsctl process with {@code env}. */
  private Cli.Run rehearse(Sandbox sandbox, Map<String, String> env, String... more) throws Exception {
    sandbox.cluster.seed(Sandbox.PLAN.environment("staging"));
    Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
    List<String> args = new java.util.ArrayList<>(List.of("rollback", "--scenario", "A", "--env", "staging", "--trigger", "MAN-004",
        "--rehearsal-of", "traffic-switch", "--kubeconfig", kubeconfig.toString(), "--out-dir", out.resolve("build-1").toString(), "--cluster-only",
        "--lock-wait", "5s", "--actor", "timer"));
    args.addAll(List.of(more));
    return LmsctlProcess.run(env, args.toArray(String[]::new));
  }

  private List<Journal.Entry> skipped(String message) {
    return Journal.reading(out.resolve("build-1").resolve(Journal.FILE_NAME)).read().stream()
        .filter(e -> e.is(Event.NOTIFY_SKIPPED) && e.data().path("message").asText().equals(message)).toList();
  }

  @Test
  void aRehearsalPostsNothingOnTheStatusPageAndMailsNoStakeholderWhateverIsBound() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out.resolve("sandbox")); HttpReceiver warRoom = new HttpReceiver(); HttpReceiver statusPage = new HttpReceiver()) {
      Cli.Run run = rehearse(sandbox, productionChannels(warRoom, statusPage));

      assertEquals(0, run.exit(), run.out() + run.err());
      assertEquals(List.of(), statusPage.bodies, "the public status page hears nothing of a rehearsal");
      assertEquals(0, smtp.getReceivedMessages().length, "no stakeholder is mailed an incident");
      for (String message : List.of("status-page-update", "status-page-end")) {
        assertEquals(1, skipped(message).size(), message);
        assertEquals("rehearsal: the plan gives no rehearsal status page (rehearsalChannels.status-page)",
            skipped(message).get(0).data().path("detail").asText());
      }
      assertEquals("rehearsal: the plan gives no rehearsal email (rehearsalChannels.email)",
          skipped("stakeholder-notification").get(0).data().path("detail").asText());
      assertTrue(run.out().contains("status-page  skipped (rehearsal: the plan gives no rehearsal status page"), run.out());
      // DevOps, who own the rehearsals, follow it in the war room, where every message says it is one
      assertFalse(warRoom.bodies.isEmpty());
      warRoom.bodies.forEach(b -> assertTrue(b.contains("🧪 REHEARSAL — Traffic switch test of §9.1"), b));
    }
  }

  @Test
  void aPlanThatGivesARehearsalStatusPagePostsThereAndNeverOnProductions() throws Exception {
    Path plan = out.resolve("plan.yaml");
    String yaml = new String(getClass().getClassLoader().getResourceAsStream(lms.rollback.plan.PlanLoader.DEFAULT_RESOURCE).readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    String withPage = yaml.replace("status-page: none", "status-page: LMS_REHEARSAL_STATUS_PAGE_WEBHOOK");
    assertFalse(withPage.equals(yaml), "the built-in plan no longer sends a rehearsal's status page nowhere");
    Files.writeString(plan, withPage);
    try (Sandbox sandbox = Sandbox.start(out.resolve("sandbox")); HttpReceiver warRoom = new HttpReceiver(); HttpReceiver statusPage = new HttpReceiver();
        HttpReceiver rehearsalPage = new HttpReceiver()) {
      Map<String, String> env = productionChannels(warRoom, statusPage);
      env.put("LMS_REHEARSAL_STATUS_PAGE_WEBHOOK", rehearsalPage.url());

      Cli.Run run = rehearse(sandbox, env, "--plan", plan.toString());

      assertEquals(0, run.exit(), run.out() + run.err());
      assertEquals(2, rehearsalPage.bodies.size(), "the status page's update and its end: " + rehearsalPage.bodies);
      rehearsalPage.bodies.forEach(b -> assertTrue(b.contains("🧪 REHEARSAL"), b));
      assertEquals(List.of(), statusPage.bodies);
      assertEquals(0, smtp.getReceivedMessages().length);
    }
  }
}
