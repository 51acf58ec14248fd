package lms.rollback.gate;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.core.Progress;
import lms.rollback.notify.EmailChannel;
import lms.rollback.notify.MessageTemplates;
import lms.rollback.notify.Notifier;
import lms.rollback.plan.Plan;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Ports;
import lms.rollback.testing.Sandbox;
import lms.rollback.testing.TestPlans;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Reaching the decider (§3.1, §3.3): notices, reminders and escalation over a real SMTP server and a webhook receiver. */
class GateNotifierTest {

  static final String BUILD_URL = "https://bob:t0ps3cret@jenkins.example.com/job/Rollback/42/?token=abc123#x";
  static final String LINK = "https://jenkins.example.com/job/Rollback/42/input/";
  static final PromptLog.Request REQUEST = new PromptLog.Request("dev.smith", "error rate 3% for 20 minutes since the release", "B", "production",
      null, ApprovalLink.of(BUILD_URL));

  @RegisterExtension
  static GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

  @TempDir Path out;
  Journal journal;
  List<String> progress = new ArrayList<>();

  @BeforeEach
  void journal() {
    journal = new Journal(out, "jenkins");
  }

  Map<String, String> env(String warRoomUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("LMS_WAR_ROOM_WEBHOOK", warRoomUrl);
    env.put(EmailChannel.HOST, "127.0.0.1");
    env.put(EmailChannel.PORT, String.valueOf(smtp.getSmtp().getPort()));
    env.put(EmailChannel.TLS, "none");
    return env;
  }

  GateNotifier notifier(Plan plan, Map<String, String> env) {
    Notifier n = new Notifier(plan, journal, new MessageTemplates(null), env, progress::add, 3, Duration.ofMillis(20), Clock.systemUTC());
    return new GateNotifier(plan, journal, n, new MessageTemplates(null), Clock.systemUTC());
  }

  static String text(String webhookBody) throws Exception {
    return new ObjectMapper().readTree(webhookBody).path("text").asText();
  }

  /** GreenMail keeps one copy per recipient: the messages as sent, once each. */
  static List<MimeMessage> mails() throws Exception {
    Map<String, MimeMessage> byId = new java.util.LinkedHashMap<>();
    for (MimeMessage m : smtp.getReceivedMessages()) byId.putIfAbsent(m.getMessageID(), m);
    return List.copyOf(byId.values());
  }

  static List<String> to(MimeMessage m) throws Exception {
    return Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Object::toString).toList();
  }

  List<String> types() {
    return journal.read().stream().map(Journal.Entry::type).toList();
  }

  @Test
  void theOpeningNoticeSaysWhatIsAskedByWhomUntilWhenAndWhereToClick() throws Exception {
    // given a trigger the watch measured
    journal.append(Event.TRIGGER_RECOMMENDATION, Map.of("trigger", "MAN-001", "evidence", Map.of("condition", "errorRatePercent > 1.0 <= 5.0 for 5m",
        "detail", "3.2% at worst over 30 samples", "at", "2026-11-24T02:01:00Z")));
    try (HttpReceiver warRoom = new HttpReceiver()) {
      // when the prompt opens
      GateNotifier.Notice notice = notifier(Sandbox.PLAN, env(warRoom.url())).open(Prompt.level("MAN-001", 0), REQUEST, 1.0);

      // then the war room and the deciders' mailboxes have the same message
      String text = text(warRoom.bodies.get(0));
      Instant opened = journal.read().stream().filter(e -> e.type().equals("gate.opened")).findFirst().orElseThrow().ts();
      String deadline = Sandbox.PLAN.time().stamp(opened.plus(Duration.ofMinutes(5)));
      assertTrue(text.startsWith("🟠 ROLLBACK DECISION NEEDED — Release Commander"), text);
      assertTrue(text.contains("Trigger: MAN-001 Elevated error rate (1-5% sustained)"), text);
      // escaped for the chat (it shows "> 1.0 <= 5.0"): a webhook's text is never markup
      assertTrue(text.contains("Evidence: errorRatePercent &gt; 1.0 &lt;= 5.0 for 5m: 3.2% at worst over 30 samples"), text);
      assertTrue(text.contains("Scenario: B — Traffic Switch + Green Shutdown (target 8m)"), text);
      assertTrue(text.contains("Requested by: dev.smith — error rate 3% for 20 minutes since the release"), text);
      assertTrue(text.contains("Decide within 5m, by " + deadline), text);
      assertTrue(text.contains("If nobody decides by then: DevOps Lead"), text);
      assertTrue(text.contains("Approve or reject: " + LINK + "\n"), text);
      assertTrue(text.contains("Paged (§3.3): Release Commander, DevOps On-Call"), text);
      MimeMessage mail = mails().get(0);
      assertTrue(mail.getSubject().startsWith("[LMS] Rollback decision needed: MAN-001 — Release Commander, by " + deadline), mail.getSubject());
      assertEquals(List.of("lms-release-commanders@company.com", "lms-devops-oncall@company.com"), to(mail));
      assertTrue(mail.getContent().toString().contains(LINK));
      // and the journal says who was reached, how, and when
      assertEquals(List.of("trigger.recommendation", "gate.opened", "notify.sent", "notify.sent", "gate.notified"), types());
      assertTrue(notice.anyDelivered());
      String journaled = Files.readString(journal.file());
      for (String secret : List.of("t0ps3cret", "abc123", "bob:")) {
        assertFalse(journaled.contains(secret) || text.contains(secret), "a credential of the build URL leaked: " + secret);
      }
    }
  }

  @Test
  void remindersGoOutAtHalfTheWindowAndBeforeItClosesToEveryoneWhoMayDecide() throws Exception {
    Plan plan = TestPlans.shortGate("6s", "2s");
    try (HttpReceiver warRoom = new HttpReceiver()) {
      GateNotifier notifier = notifier(plan, env(warRoom.url()));
      notifier.open(Prompt.level("MAN-003", 0), REQUEST, 1.0);
      Instant opened = journal.read().stream().filter(e -> e.type().equals("gate.opened")).findFirst().orElseThrow().ts();

      GateReminders.Result result = new GateReminders(notifier, journal, Clock.systemUTC(), Duration.ofMillis(50), progress::add)
          .run(Prompt.level("MAN-003", 0));

      assertEquals(new GateReminders.Result(2, 0, null), result);
      assertEquals(3, warRoom.bodies.size());
      // 50% of 6s, then 2s before the close; a reminder is never early, and late only by a delivery
      assertWithin(opened.plusSeconds(3), warRoom.receivedAt.get(1));
      assertWithin(opened.plusSeconds(4), warRoom.receivedAt.get(2));
      assertTrue(text(warRoom.bodies.get(1)).startsWith("⏰ REMINDER — rollback decision still open, 3s left"), warRoom.bodies.get(1));
      assertTrue(text(warRoom.bodies.get(2)).startsWith("⏰ REMINDER — rollback decision still open, 2s left"), warRoom.bodies.get(2));
      MimeMessage reminder = mails().get(1);
      assertTrue(reminder.getSubject().startsWith("[LMS] REMINDER: rollback decision MAN-003"), reminder.getSubject());
      assertEquals(List.of("lms-release-commanders@company.com"), to(reminder));
      assertEquals(2, types().stream().filter("gate.reminded"::equals).count());
    }
  }

  static void assertWithin(Instant due, Instant actual) {
    long lateMillis = Duration.between(due, actual).toMillis();
    assertTrue(lateMillis >= 0 && lateMillis < 1500, "due " + due + ", arrived " + actual + " (" + lateMillis + " ms late)");
  }

  @Test
  void aDecisionRecordedElsewhereCancelsThePendingReminders() throws Exception {
    Path planFile = out.resolve("plan.yaml");
    Files.writeString(planFile, TestPlans.shortGateYaml("20s", "5s"));
    try (HttpReceiver warRoom = new HttpReceiver()) {
      Map<String, String> env = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
      // given an open prompt and its reminders running in their own process, as beside Jenkins' input
      Cli.Run opened = LmsctlProcess.run(env, "gate", "notify", "--plan", planFile.toString(), "--trigger", "MAN-003", "--requested-by", "dev.smith",
          "--reason", "leave submission fails for everyone", "--out-dir", out.toString());
      assertEquals(0, opened.exit(), opened.err());
      LmsctlProcess reminders = LmsctlProcess.start(env, List.of("gate", "remind", "--plan", planFile.toString(), "--trigger", "MAN-003",
          "-o", "json", "--out-dir", out.toString()));
      while (!reminders.stderrText().contains("reminder 1 of 2 at")) {
        assertTrue(reminders.process().isAlive(), reminders.stderrText());
        Thread.sleep(50);
      }
      // when the Release Commander approves before the first reminder (10s into the window)
      Cli.Run approved = Cli.lmsctl("gate", "record", "--plan", planFile.toString(), "--trigger", "MAN-003", "--decision", "approve", "--by", "rc.jones",
          "--groups", "lms-release-commanders", "--requested-by", "dev.smith", "--reason", "leave submission is down, roll back", "--out-dir", out.toString());
      assertEquals(0, approved.exit(), approved.err());
      Instant decided = Instant.now();

      // then the reminders stop, none is sent, and the journal says they were cancelled by that decision
      Cli.Run ended = reminders.await();
      assertEquals(0, ended.exit(), ended.err());
      assertTrue(Duration.between(decided, Instant.now()).toSeconds() < 8, "the reminders ran on after the decision");
      assertTrue(ended.out().contains("\"sent\":0") && ended.out().contains("\"cancelled\":2") && ended.out().contains("approve by rc.jones"), ended.out());
      assertEquals(1, warRoom.bodies.size(), "only the opening notice");
      List<String> types = types();
      assertTrue(types.indexOf("gate.closed") < types.indexOf("gate.reminders.cancelled"), types.toString());
      assertFalse(types.contains("gate.reminded"));
    }
  }

  /** MAN-001's first prompt opened, then five minutes later nobody has answered: its timeout recorded; returns that later clock. */
  private java.time.Clock unansweredAtLevel0(GateNotifier notifier) {
    notifier.open(Prompt.level("MAN-001", 0), REQUEST, 1.0);
    java.time.Clock later = java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(5).plusSeconds(1));
    new DecisionRecorder(Sandbox.PLAN, journal, later).record(new DecisionRecorder.Decision("MAN-001", DecisionRecorder.Kind.timeout, "timeout",
        List.of(), null, 0, "dev.smith", false, false));
    return later;
  }

  @Test
  void theEscalationGoesToTheNextAuthorityAndNamesWhoDidNotAnswer() throws Exception {
    try (HttpReceiver warRoom = new HttpReceiver()) {
      GateNotifier notifier = notifier(Sandbox.PLAN, env(warRoom.url()));
      unansweredAtLevel0(notifier);

      GateNotifier.Notice escalated = notifier.open(Prompt.level("MAN-001", 1), REQUEST, 1.0);

      String text = text(warRoom.bodies.get(1));
      assertTrue(text.startsWith("🔴 ROLLBACK DECISION ESCALATED TO DevOps Lead"), text);
      assertTrue(text.contains("No answer from Release Commander (5m): the decision is now yours."), text);
      assertTrue(text.contains("If nobody decides by then: CTO"), text);
      assertTrue(text.contains("Approve or reject: " + LINK), text);
      MimeMessage mail = mails().get(mails().size() - 1);
      assertTrue(mail.getSubject().startsWith("[LMS] ESCALATED rollback decision: MAN-001 — DevOps Lead"), mail.getSubject());
      assertEquals(List.of("lms-devops-leads@company.com"), to(mail));
      assertEquals(GateNotifier.Kind.escalated, escalated.kind());
      assertEquals(List.of("gate.opened", "notify.sent", "notify.sent", "gate.notified", "gate.decision", "gate.closed", "gate.opened", "notify.sent",
          "notify.sent", "gate.escalated"), types());
    }
  }

  @Test
  void anEscalationAdvancedByGateRecordKeepsTheRequestsReason() throws Exception {
    try (HttpReceiver warRoom = new HttpReceiver()) {
      GateNotifier notifier = notifier(Sandbox.PLAN, env(warRoom.url()));
      java.time.Clock later = unansweredAtLevel0(notifier);

      // gate record knows the build's link but not the reason (seen on a real controller: "no reason given")
      new GateRun(Sandbox.PLAN, journal, later).advance("MAN-001", "B", false, new PromptLog.Request("dev.smith", null, "B", null, null, LINK),
          notifier, 1.0);

      String text = text(warRoom.bodies.get(1));
      assertTrue(text.startsWith("🔴 ROLLBACK DECISION ESCALATED TO DevOps Lead"), text);
      assertTrue(text.contains(REQUEST.reason()) && !text.contains("no reason given"), text);
    }
  }

  @Test
  void whoIsPagedDependsOnTheTriggerType() {
    ContactChain chain = new ContactChain(Sandbox.PLAN);
    Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
    expected.put("AUTO-001", List.of("devops-on-call", "release-commander"));
    expected.put("MAN-001", List.of("devops-on-call", "release-commander"));
    expected.put("AUTO-003", List.of("devops-on-call", "release-commander", "dba-on-call"));
    expected.put("MAN-004", List.of("devops-on-call", "release-commander", "dba-on-call"));
    expected.put("AUTO-004", List.of("devops-on-call", "release-commander", "security-on-call"));
    expected.put("MAN-008", List.of("devops-on-call", "release-commander", "security-on-call"));
    expected.put("MAN-005", List.of("devops-on-call", "release-commander", "executive-escalation"));
    expected.put("BUS-003", List.of("devops-on-call", "release-commander", "executive-escalation"));
    expected.forEach((trigger, roles) -> assertEquals(roles, chain.paged(trigger, null).stream().map(ContactChain.Paged::role).toList(), trigger));
    // a scenario that rolls the database back brings in the DBA whatever the trigger
    assertEquals(List.of("devops-on-call", "release-commander", "dba-on-call"),
        chain.paged("MAN-001", "C").stream().map(ContactChain.Paged::role).toList());

    Cli.Run run = Cli.lmsctl("contacts", "--trigger", "MAN-008", "--out-dir", "target/contacts-test");
    assertEquals(0, run.exit(), run.err());
    List<String> lines = run.out().lines().toList();
    assertTrue(lines.get(2).contains("1     DevOps On-Call") && lines.get(3).contains("2     Release Commander")
        && lines.get(4).contains("4     Security On-Call") && lines.get(4).contains("security trigger"), run.out());
    assertTrue(run.out().contains("decides: Security Lead -> CISO -> CTO"), run.out());
    Cli.Run unknown = Cli.lmsctl("contacts", "--trigger", "MAN-999", "--out-dir", "target/contacts-test");
    assertEquals(2, unknown.exit());
    assertTrue(unknown.err().contains("unknown trigger 'MAN-999'; allowed: AUTO-001"), unknown.err());
  }

  @Test
  void aChannelThatIsDownIsRetriedAndJournaledAndTheOthersStillGo() throws Exception {
    GateNotifier.Notice notice = notifier(Sandbox.PLAN, env("http://127.0.0.1:" + Ports.closed() + "/hook")).open(Prompt.level("MAN-001", 0), REQUEST, 1.0);

    assertEquals(Notifier.Status.failed, notice.deliveries().get(0).status());
    assertEquals(3, notice.deliveries().get(0).attempts());
    assertEquals(Notifier.Status.sent, notice.deliveries().get(1).status());
    assertEquals(1, mails().size());
    assertTrue(progress.stream().anyMatch(l -> l.contains("gate-opened on war-room NOT delivered")), progress.toString());
    assertEquals(List.of("gate.opened", "notify.failed", "notify.sent", "gate.notified"), types());
    String journaled = Files.readString(journal.file());
    assertTrue(journaled.contains("\"channel\":\"war-room\",\"status\":\"failed\""), journaled);

    // from a terminal with no channel configured: journaled as skipped, which is not a failure
    Cli.Run run = Cli.lmsctl("gate", "notify", "--trigger", "MAN-001", "--level", "1", "--out-dir", out.toString());
    assertEquals(0, run.exit(), "nothing configured is skipped, not failed: " + run.err());
  }

  @Test
  void aLinkNeverCarriesCredentialsAndABadOneIsRefusedByName() {
    assertEquals(LINK, ApprovalLink.of(BUILD_URL));
    assertEquals("http://jenkins:8080/job/Rollback/7/input/", ApprovalLink.of("http://jenkins:8080/job/Rollback/7"));
    assertEquals(null, ApprovalLink.of(""));
    Cli.Run run = Cli.lmsctl("gate", "notify", "--trigger", "MAN-001", "--build-url", "file:///etc/passwd", "--out-dir", out.toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--build-url: 'file' URL not allowed; allowed: the build's http(s) URL"), run.err());
    assertFalse(types().contains("gate.opened"), "bad input changes nothing");
    Cli.Run level = Cli.lmsctl("gate", "notify", "--trigger", "MAN-001", "--level", "3", "--out-dir", out.toString());
    assertEquals(2, level.exit());
    assertTrue(level.err().contains("--level: 3 does not exist for MAN-001; allowed: 0-2 (Release Commander, DevOps Lead, CTO)"), level.err());
    new Journal(out, "lmsctl watch").append(Event.TRIGGER_FIRED, Map.of("trigger", "AUTO-001", "state", "holds", "at", "2026-12-04T02:10:00Z",
        "detail", "held at all 31 samples (lowest 12.000)", "dryRun", false));
    Cli.Run automatic = Cli.lmsctl("gate", "notify", "--trigger", "AUTO-001", "--out-dir", out.toString());
    assertEquals(2, automatic.exit());
    assertTrue(automatic.err().contains("AUTO-001 held when the engine measured it: it rolls back at once"), automatic.err());
  }
}
