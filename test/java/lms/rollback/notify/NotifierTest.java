package lms.rollback.notify;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.core.Progress;
import lms.rollback.runbook.RollbackSteps;
import lms.rollback.runbook.RunStateMachine;
import lms.rollback.runbook.StepRunner;
import lms.rollback.testing.Ports;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** §6: the messages reach a real SMTP server and a webhook receiver; a channel that is down holds nothing up. */
class NotifierTest {

  @RegisterExtension
  static GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

  @TempDir Path out;
  Journal journal;
  List<String> progress = new ArrayList<>();

  @BeforeEach
  void aRollbackUnderWay() {
    journal = new Journal(out, "alice");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "B", "environment", "production", "trigger", "MAN-001", "reason", "error rate 3% for 20 minutes"));
    journal.append(Event.GATE_DECISION, Map.of("trigger", "MAN-001", "level", 0, "decision", "approve", "by", "rc.jones", "role", "Release Commander",
        "reason", "confirmed on the dashboards"));
  }

  @Test
  void aScheduledRehearsalThatCouldNotStartTellsDevOpsWhichAndWhy() throws Exception {
    Path timer = out.resolve("lms-rollback/build-12/full-rollback");
    try (HttpReceiver warRoom = new HttpReceiver()) {
      Map<String, String> env = new HashMap<>(smtpEnv());
      env.put("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
      // an unknown test is refused and nothing is sent
      lms.rollback.testing.Cli.Run bad = lms.rollback.testing.LmsctlProcess.run(env, "notify", "--after", "rehearsal-not-run", "--rehearsal-of",
          "fire-drill", "--reason", "no idea", "--out-dir", timer.toString());
      assertEquals(2, bad.exit(), bad.err());
      assertTrue(bad.err().contains("--rehearsal-of: unknown test 'fire-drill'; allowed: traffic-switch"), bad.err());
      assertTrue(warRoom.bodies.isEmpty());

      lms.rollback.testing.Cli.Run told = lms.rollback.testing.LmsctlProcess.run(env, "notify", "--after", "rehearsal-not-run", "--rehearsal-of",
          "full-rollback", "--reason", "a Jenkins credential this rollback needs is missing (Could not find credentials entry with ID 'lms-staging-database-url')",
          "--out-dir", timer.toString());

      assertEquals(0, told.exit(), told.out() + told.err());
      assertEquals(1, warRoom.bodies.size(), warRoom.bodies.toString());
      String text = warRoom.bodies.get(0);
      assertTrue(text.contains("REHEARSAL NOT RUN — Full rollback test of §9.1 (Monthly, DevOps) on staging"), text);
      assertTrue(text.contains("lms-staging-database-url") && text.contains("REHEARSAL=full-rollback"), text);
      MimeMessage[] mail = smtp.getReceivedMessages();
      assertEquals(1, mail.length);
      assertEquals("[LMS] Rehearsal not run: full-rollback on staging", mail[0].getSubject());
      assertEquals("lms-devops-oncall@company.com", mail[0].getAllRecipients()[0].toString());
    }
  }

  Notifier notifier(Map<String, String> env) {
    return new Notifier(Sandbox.PLAN, journal, new MessageTemplates(null), env, progress::add, 3, Duration.ofMillis(20), Clock.systemUTC());
  }

  Map<String, String> smtpEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("LMS_STAKEHOLDER_EMAILS", "hr@company.test, it@company.test");
    env.put(EmailChannel.HOST, "127.0.0.1");
    env.put(EmailChannel.PORT, String.valueOf(smtp.getSmtp().getPort()));
    env.put(EmailChannel.TLS, "none");
    env.put(EmailChannel.FROM, "release@company.test");
    return env;
  }

  @Test
  void aMessagesTimeIsWhenItsEventHappenedNotWhenItWasRendered() throws Exception {
    // Given a switch journaled at 02:14:05, and the message rendered an hour later (re-sent by hand, say)
    Instant switched = Instant.parse("2026-12-01T02:14:05Z");
    Journal earlier = new Journal(out, "alice", Clock.fixed(switched, java.time.ZoneOffset.UTC));
    earlier.append(Event.STEP_START, Map.of("action", "switch-traffic", "title", "Execute traffic switch"));
    earlier.append(Event.STEP_END, Map.of("action", "switch-traffic", "title", "Execute traffic switch", "millis", 900, "budget", "2m", "ok", true,
        "detail", "switched"));
    Notifier later = new Notifier(Sandbox.PLAN, journal, new MessageTemplates(null), Map.of(), progress::add, 1, Duration.ZERO,
        Clock.fixed(switched.plusSeconds(3600), java.time.ZoneOffset.UTC));

    String text = later.render("traffic-switched").text();

    assertTrue(text.contains("Time: 2026-12-01 02:14:05 UTC"), text);
    assertFalse(text.contains("03:14:05"), text);
  }

  @Test
  void scenarioDsMessagesSayWhatItDoesAndAStoppedRunIsNotCalledCompleted() throws Exception {
    // Given a scenario D run that restored the backup, redeployed Blue and then stopped before Green was scaled down
    journal.append(Event.SCENARIO_START, Map.of("scenario", "D", "environment", "production", "trigger", "BUS-004", "requestedBy", "cio.ng"));
    journal.append(Event.STEP_END, Map.of("action", "restore-database", "title", "Restore database from backup", "millis", 1000, "budget", "40m",
        "ok", true, "detail", "restored"));
    journal.append(Event.BLUE_REDEPLOYED, Map.of("deployment", "lms-blue", "image", "registry.company.com/lms:2.9.1", "replicas", 3));
    journal.append(Event.SCENARIO_STOPPED, Map.of("scenario", "D", "stoppedAt", "stop-green", "reason", "the API server was unreachable"));
    Notifier n = new Notifier(Sandbox.PLAN, journal, new MessageTemplates(null), Map.of(), progress::add, 1, Duration.ZERO, Clock.systemUTC());

    String initiated = n.render("rollback-initiated").text();
    String stakeholders = n.render("stakeholder-notification").text();

    assertFalse(initiated.contains("Switching traffic"), initiated);
    assertTrue(initiated.contains("Scenario D (Emergency Restore from Backup) under way: Escalate to executive level → Enable maintenance mode"), initiated);
    assertFalse(stakeholders.contains("Rollback completed"), stakeholders);
    assertTrue(stakeholders.contains("- Rollback stopped: ") && stakeholders.contains(" at stop-green, not completed"), stakeholders);
    assertTrue(stakeholders.contains("Current version: registry.company.com/lms:2.9.1"), stakeholders);
    assertTrue(stakeholders.contains("The database was restored from the backup"), stakeholders);
  }

  @Test
  void aMessagesTimeReadsInThePlansTimeZoneToTheSecond() throws Exception {
    // Given a plan for people in Berlin, and a switch journaled at 02:14:05 UTC
    String yaml = new String(getClass().getClassLoader().getResourceAsStream(lms.rollback.plan.PlanLoader.DEFAULT_RESOURCE).readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8).replace("timeZone: UTC", "timeZone: Europe/Berlin");
    lms.rollback.plan.Plan berlin = new lms.rollback.plan.PlanLoader().parse(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8), "berlin.yaml");
    Instant switched = Instant.parse("2026-12-01T02:14:05Z");
    Journal earlier = new Journal(out, "alice", Clock.fixed(switched, java.time.ZoneOffset.UTC));
    earlier.append(Event.STEP_START, Map.of("action", "switch-traffic", "title", "Execute traffic switch"));
    earlier.append(Event.STEP_END, Map.of("action", "switch-traffic", "title", "Execute traffic switch", "millis", 900, "budget", "2m", "ok", true,
        "detail", "switched"));

    String text = new Notifier(berlin, journal, new MessageTemplates(null), Map.of(), progress::add, 1, Duration.ZERO, Clock.systemUTC())
        .render("traffic-switched").text();

    // Then the message says the local time and names the zone
    assertTrue(text.contains("Time: 2026-12-01 03:14:05 CET"), text);
  }

  @Test
  void scenarioDsEscalationMailsTheExecutivesOfThePlanNotTheStakeholderList() throws Exception {
    // Given a restore under way (§5.4), and the war room
    journal.append(Event.SCENARIO_START, Map.of("scenario", "D", "environment", "production", "trigger", "BUS-004"));
    try (HttpReceiver warRoom = new HttpReceiver()) {
      Map<String, String> env = smtpEnv();
      env.put("LMS_WAR_ROOM_WEBHOOK", warRoom.url());

      // When the escalate step has run
      List<Notifier.Delivery> sent = new CommunicationSchedule(Sandbox.PLAN, notifier(env)).after("escalate");

      // Then the executives of §3.3 got the mail at the plan's addresses, and the war room heard of it; nothing unfilled
      assertEquals(List.of(Notifier.Status.sent, Notifier.Status.sent), sent.stream().map(Notifier.Delivery::status).toList());
      MimeMessage[] mails = smtp.getReceivedMessages();
      assertEquals(1, mails.length);
      assertEquals("lms-executives@company.com", mails[0].getAllRecipients()[0].toString());
      assertTrue(mails[0].getSubject().startsWith("[LMS] EXECUTIVE ESCALATION"), mails[0].getSubject());
      String body = com.icegreen.greenmail.util.GreenMailUtil.getBody(mails[0]);
      assertTrue(body.contains("Trigger: BUS-004"), body);
      assertFalse(body.contains("{{") || body.contains("[DESCRIBE") || body.contains("[VERSION"), body);
      String text = new com.fasterxml.jackson.databind.ObjectMapper().readTree(warRoom.bodies.get(0)).path("text").asText();
      assertTrue(text.startsWith("🚨 EXECUTIVE ESCALATION"), text);
      assertTrue(text.contains("ETA: 60 minutes"), text);
    }
  }

  @Test
  void theClosingWarRoomMessageCarriesTheJournalsAnchor() {
    journal.append(Event.SCENARIO_END, Map.of("scenario", "B", "ok", true));
    var chain = lms.rollback.audit.ChainVerifier.verify(journal.file(), null);

    String text = notifier(Map.of()).render("rollback-complete").text();

    assertTrue(text.contains("Journal anchor: " + chain.entries() + ":" + chain.head()), text);
    assertTrue(lms.rollback.audit.ChainVerifier.verifyAnchored(journal.file(), chain.entries(), chain.head()).intact());
  }

  @Test
  void theStatusPageIsToldTheEndResolvedOrStillDegraded() {
    String unfinished = notifier(Map.of()).render("status-page-end").text();
    journal.append(Event.SCENARIO_END, Map.of("scenario", "B", "ok", true));
    String completed = notifier(Map.of()).render("status-page-end").text();

    assertTrue(unfinished.startsWith("LMS (production): still degraded. The rollback did not complete"), unfinished);
    assertTrue(completed.startsWith("LMS (production): resolved. The deployment that caused degraded service was rolled back at "), completed);
  }

  @Test
  void aRehearsalsMessagesSayRehearsalAndTheEnvironmentFirst() {
    journal = new Journal(out.resolve("rehearsal"), "alice");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "C", "environment", "staging", "trigger", "MAN-004", "rehearsal", true,
        "rehearsalOf", "full-rollback"));

    String warRoom = notifier(Map.of()).render("rollback-initiated").text();
    String statusPage = notifier(Map.of()).render("status-page-update").text();
    RenderedMessage mail = notifier(Map.of()).render("stakeholder-notification");

    for (String text : List.of(warRoom, statusPage, mail.text())) {
      assertTrue(text.startsWith("🧪 REHEARSAL — Full rollback test of §9.1 (Monthly, staging, DevOps) on staging: not a production incident"), text);
    }
    assertTrue(mail.subject().startsWith("[REHEARSAL] [LMS] Staging Rollback"), "the environment, not 'Production': " + mail.subject());
    // a rollback of production says nothing of the kind
    aRollbackUnderWay();
    assertFalse(notifier(Map.of()).render("rollback-initiated").text().contains("REHEARSAL"));
  }

  @Test
  void aRehearsalReachesOnlyTheChannelsThePlanGivesARehearsal() throws Exception {
    journal = new Journal(out.resolve("rehearsal"), "timer");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "D", "environment", "dr", "trigger", "MAN-004", "rehearsal", true,
        "rehearsalOf", "backup-restore"));
    try (HttpReceiver warRoom = new HttpReceiver(); HttpReceiver statusPage = new HttpReceiver()) {
      Map<String, String> env = new HashMap<>(smtpEnv());
      env.put("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
      env.put("LMS_STATUS_PAGE_WEBHOOK", statusPage.url());

      Notifier.Delivery page = notifier(env).send("status-page-update", false);
      Notifier.Delivery stakeholders = notifier(env).send("stakeholder-notification", false);
      Notifier.Delivery executives = notifier(env).send("executive-escalation", false);
      Notifier.Delivery room = notifier(env).send("rollback-initiated", false);

      assertEquals(Notifier.Status.skipped, page.status());
      assertEquals("rehearsal: the plan gives no rehearsal status page (rehearsalChannels.status-page)", page.detail());
      assertEquals(Notifier.Status.skipped, stakeholders.status());
      assertEquals(Notifier.Status.skipped, executives.status(), "a role's own addresses are production's audience too");
      assertEquals(List.of(), statusPage.bodies);
      assertEquals(0, smtp.getReceivedMessages().length);
      assertEquals(Notifier.Status.sent, room.status(), "the built-in plan gives the war room, where DevOps follow their rehearsals");
      assertEquals(1, warRoom.bodies.size());
      assertTrue(Files.readString(journal.file()).contains("rehearsal: the plan gives no rehearsal email (rehearsalChannels.email)"));
    }
  }

  @Test
  void aRehearsalsMailGoesToTheRehearsalsOwnListWhenThePlanGivesOne() throws Exception {
    String yaml = new String(getClass().getClassLoader().getResourceAsStream(lms.rollback.plan.PlanLoader.DEFAULT_RESOURCE).readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8).replace("email:       none", "email:       LMS_REHEARSAL_EMAILS");
    lms.rollback.plan.Plan plan = new lms.rollback.plan.PlanLoader().parse(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8), "rehearsal mail plan");
    journal = new Journal(out.resolve("rehearsal"), "timer");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "C", "environment", "staging", "trigger", "MAN-004", "rehearsal", true));
    Map<String, String> env = new HashMap<>(smtpEnv());
    env.put("LMS_REHEARSAL_EMAILS", "devops-rehearsals@company.test");

    Notifier.Delivery d = new Notifier(plan, journal, new MessageTemplates(null), env, progress::add, 1, Duration.ZERO, Clock.systemUTC())
        .send("stakeholder-notification", false);

    assertEquals(Notifier.Status.sent, d.status(), d.detail());
    MimeMessage[] mail = smtp.getReceivedMessages();
    assertEquals(1, mail.length);
    assertEquals("devops-rehearsals@company.test", mail[0].getAllRecipients()[0].toString());
    assertTrue(mail[0].getSubject().startsWith("[REHEARSAL]"), mail[0].getSubject());
  }

  @Test
  void warRoomMessageFollowsTheRunbookWordingAndCarriesWhatTheJournalSays() throws Exception {
    try (HttpReceiver warRoom = new HttpReceiver()) {
      Notifier.Delivery d = notifier(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url())).send("rollback-initiated", false);

      assertEquals(Notifier.Status.sent, d.status());
      String text = new com.fasterxml.jackson.databind.ObjectMapper().readTree(warRoom.bodies.get(0)).path("text").asText();
      assertTrue(text.startsWith("🔴 ROLLBACK INITIATED"), text);
      assertTrue(text.contains("Trigger: MAN-001 Elevated error rate (1-5% sustained): error rate 3% for 20 minutes"), text);
      assertTrue(text.contains("Authority: rc.jones (Release Commander)"), text);
      assertTrue(text.contains("ETA: 8 minutes"), text);
      assertTrue(text.contains("Action Required: All team members standby for verification tasks"), text);
      String journaled = Files.readString(journal.file());
      assertTrue(journaled.contains("\"notify.sent\""));
      assertFalse(journaled.contains("s3cr3tT0k3n"), "the webhook's secret path is never journaled");
    }
  }

  @Test
  void aTypedReasonReachesTheWarRoomAsTextNotAsAPingOrALink() throws Exception {
    try (HttpReceiver warRoom = new HttpReceiver()) {
      // a fresh run whose requester typed the hostile reason
      Journal fresh = new Journal(Files.createDirectories(out.resolve("hostile")), "alice");
      fresh.append(Event.SCENARIO_START, Map.of("scenario", "B", "environment", "production", "trigger", "MAN-001",
          "reason", "<!channel> see <https://evil.example/|Approve or reject: MAN-001> & act"));
      fresh.append(Event.GATE_DECISION, Map.of("trigger", "MAN-001", "level", 0, "decision", "approve", "by", "rc.jones", "role", "Release Commander",
          "reason", "confirmed"));
      new Notifier(Sandbox.PLAN, fresh, new MessageTemplates(null), Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url()), progress::add, 3,
          Duration.ofMillis(20), Clock.systemUTC()).send("rollback-initiated", false);

      String text = new com.fasterxml.jackson.databind.ObjectMapper().readTree(warRoom.bodies.get(0)).path("text").asText();
      assertTrue(text.contains("&lt;!channel&gt; see &lt;https://evil.example/|Approve or reject: MAN-001&gt; &amp; act"), text);
      assertFalse(text.contains("<!channel>"), text);
    }
  }

  @Test
  void stakeholderEmailReachesTheSmtpServer() throws Exception {
    Notifier.Delivery d = notifier(smtpEnv()).send("stakeholder-notification", false);

    assertEquals(Notifier.Status.sent, d.status(), d.detail());
    MimeMessage[] mails = smtp.getReceivedMessages();
    assertEquals(2, mails.length, "one per recipient");
    assertTrue(mails[0].getSubject().startsWith("[LMS] Production Rollback"), mails[0].getSubject());
    String body = com.icegreen.greenmail.util.GreenMailUtil.getBody(mails[0]);
    assertTrue(body.contains("Dear Stakeholders") && body.contains("lms-support@company.com"), body);
  }

  @Test
  void aFailingReceiverIsRetriedWithBackoff() throws Exception {
    try (HttpReceiver flaky = new HttpReceiver().failFirst(2)) {
      Notifier.Delivery d = notifier(Map.of("LMS_WAR_ROOM_WEBHOOK", flaky.url())).send("traffic-switched", false);

      assertEquals(Notifier.Status.sent, d.status());
      assertEquals(3, d.attempts());
      assertEquals(2, progress.stream().filter(l -> l.contains("failed (HTTP 500")).count(), progress.toString());
    }
  }

  @Test
  void aReceiverThatIsDownIsJournaledAndDoesNotThrow() throws Exception {
    int closed = Ports.closed();
    long start = System.nanoTime();

    Notifier.Delivery d = notifier(Map.of("LMS_WAR_ROOM_WEBHOOK", "http://127.0.0.1:" + closed + "/hook")).send("rollback-complete", false);

    assertEquals(Notifier.Status.failed, d.status());
    assertEquals(3, d.attempts());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0);
    assertTrue(journal.read().stream().anyMatch(e -> e.type().equals("notify.failed")));
  }

  @Test
  void anUnconfiguredChannelIsSkippedAndSaysWhichVariable() {
    Notifier.Delivery d = notifier(Map.of()).send("status-page-update", false);
    assertEquals(Notifier.Status.skipped, d.status());
    assertEquals("LMS_STATUS_PAGE_WEBHOOK is not set", d.detail());
  }

  @Test
  void dryRunRendersWithoutSending() throws Exception {
    try (HttpReceiver warRoom = new HttpReceiver()) {
      Notifier.Delivery d = notifier(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url())).send("rollback-initiated", true);
      assertEquals(Notifier.Status.rendered, d.status());
      assertTrue(warRoom.bodies.isEmpty());
    }
  }

  @Test
  void editedTemplatesInADirectoryOverrideTheBuiltInOnes() throws Exception {
    Path dir = Files.createDirectories(out.resolve("templates"));
    Files.writeString(dir.resolve("status-page.txt"), "LMS is being rolled back ({{ENVIRONMENT}}). {{NOT_A_PLACEHOLDER}}");
    Notifier n = new Notifier(Sandbox.PLAN, journal, new MessageTemplates(dir), Map.of(), Progress.SILENT, 1, Duration.ZERO, Clock.systemUTC());

    assertEquals("LMS is being rolled back (production). [NOT_A_PLACEHOLDER]\n", n.render("status-page-update").text());
  }

  @Test
  void aSandboxRollbackSendsTheWholeSequenceInOrder() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out.resolve("run")); HttpReceiver warRoom = new HttpReceiver(); HttpReceiver statusPage = new HttpReceiver()) {
      Map<String, String> env = smtpEnv();
      env.put("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
      env.put("LMS_STATUS_PAGE_WEBHOOK", statusPage.url());
      Notifier n = new Notifier(Sandbox.PLAN, sandbox.journal, new MessageTemplates(null), env, progress::add, 3, Duration.ofMillis(20), Clock.systemUTC());
      CommunicationSchedule schedule = new CommunicationSchedule(Sandbox.PLAN, n);
      RunStateMachine runner = new RollbackSteps(sandbox.engine(), Sandbox.ENV, sandbox.env, sandbox.outDir, "AUTO-001")
          .register(new RunStateMachine(sandbox.journal)).hooks(new RunStateMachine.Hooks() {
            @Override public void started() {
              schedule.after(CommunicationSchedule.START);
            }

            @Override public void stepFinished(StepRunner.Outcome o) {
              schedule.after(o.action());
            }

            @Override public void finished(RunStateMachine.Result r) {
              schedule.after(CommunicationSchedule.END);
            }
          });

      runner.run("B", Sandbox.PLAN.scenario("B"), Map.of("environment", Sandbox.ENV, "trigger", "AUTO-001"), o -> { });

      // (this run has no probes, as --cluster-only: its end says what was not checked, never "complete" — #36)
      List<String> firstLines = warRoom.bodies.stream().map(b -> b.substring(b.indexOf("\"text\":\"") + 8).split("\\\\n")[0]).toList();
      assertEquals(List.of("🔴 ROLLBACK INITIATED", "🟠 TRAFFIC SWITCHED", "🟡 ROLLBACK VERIFICATION"), firstLines.subList(0, 3));
      assertEquals(4, firstLines.size(), firstLines.toString());
      assertTrue(firstLines.get(3).startsWith("⚠️ ROLLBACK SWITCHED, UNVERIFIED (not checked: Blue's health and version (HTTP)"), firstLines.get(3));
      // the status page: the rollback under way, then its end
      assertEquals(2, statusPage.bodies.size());
      assertTrue(statusPage.bodies.get(1).contains("traffic has been moved back to the previous release; we are still confirming"), statusPage.bodies.get(1));
      assertEquals(2, smtp.getReceivedMessages().length);
      assertTrue(com.icegreen.greenmail.util.GreenMailUtil.getBody(smtp.getReceivedMessages()[0]).contains("Current version: registry.local/lms:2.4.1"));
    }
  }
}
