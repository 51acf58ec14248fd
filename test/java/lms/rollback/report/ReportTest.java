package lms.rollback.report;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.plan.Scenario;
import lms.rollback.runbook.RollbackSteps;
import lms.rollback.runbook.RunStateMachine;
import lms.rollback.runbook.StepRunner;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** §8: the report, rendered from the journal alone, also for a run that failed or was cut short. */
class ReportTest {

  @TempDir Path out;
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aLongWatchBeforeTheRollbackIsReadNotReportedAndAnArchivedJournalIsReadUnderItsOwnName() throws Exception {
    // Given a watch that journaled 3 000 rounds, then a sandbox rollback, archived as build-41.jsonl
    Path run = out.resolve("run");
    Journal watch = new Journal(run, "jenkins");
    for (int i = 0; i < 3000; i++) watch.appendPersonal("watch.round", Map.of("round", i, "state", "clear"));
    assertEquals(0, Cli.lmsctl("sandbox", "--out-dir", run.toString(), "--termination-delay", "50ms", "-o", "json").exit());
    Path archived = out.resolve("archive").resolve("build-41.jsonl");
    Files.createDirectories(archived.getParent());
    Files.copy(run.resolve(Journal.FILE_NAME), archived);

    // When
    Cli.Run r = Cli.lmsctl("report", "--journal", archived.toString(), "--format", "json");

    // Then the report is the rollback's, read from the archived file (there is no journal.jsonl beside it)
    assertEquals(0, r.exit(), r.err());
    JsonNode json = JSON.readTree(archived.resolveSibling("rollback-report.json").toFile());
    assertEquals("COMPLETED", json.path("outcome").asText());
    assertEquals(5, json.path("steps").size());
    assertFalse(Files.exists(archived.resolveSibling(Journal.FILE_NAME)), "nothing was read from or written as journal.jsonl");
  }

  @Test
  void aSandboxRollbackYieldsAllFourFormatsWithEveryAuditItem() throws Exception {
    // Given a completed sandbox rollback
    Cli.Run run = Cli.lmsctl("sandbox", "--out-dir", out.toString(), "--termination-delay", "50ms", "-o", "json");
    assertEquals(0, run.exit(), run.err());

    // When
    Cli.Run r = Cli.lmsctl("report", "--out-dir", out.toString(), "--incident", "INC-2041", "--deployment", "DEP-877");

    // Then
    assertEquals(0, r.exit(), r.err());
    String md = Files.readString(out.resolve("rollback-report.md"));
    for (String item : List.of("Rollback decision time", "Decision authority", "Trigger reason", "Steps executed", "Commands run",
        "Verification results", "Communication sent", "Total rollback time", "INC-2041", "DEP-877", "AUTO-001", "Immediate actions (§7.1)",
        "Root cause analysis (§7.2)", "Journal integrity | intact")) {
      assertTrue(md.contains(item), item + " missing from\n" + md);
    }
    assertTrue(md.contains("patch virtualservice") && md.contains("scale deployment"), md);
    JsonNode json = JSON.readTree(out.resolve("rollback-report.json").toFile());
    assertEquals("COMPLETED", json.path("outcome").asText());
    assertEquals(5, json.path("steps").size());
    assertEquals(7, json.path("communications").size(), "every §6.1 message (and the status page's end) is accounted for, sent or skipped");
    Document junit = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(out.resolve("rollback-report-junit.xml").toFile());
    assertEquals(2, junit.getElementsByTagName("testsuite").getLength());
    assertEquals("5", ((org.w3c.dom.Element) junit.getElementsByTagName("testsuite").item(0)).getAttribute("tests"));
    String html = Files.readString(out.resolve("rollback-report.html"));
    assertTrue(html.contains("<svg") && html.contains("8m target") && html.contains("waiting for a person"), "timeline present, against scenario B's own 8m target");
    assertFalse(html.contains("<script"), "self-contained, no scripts");

    // and the sandbox's journal verifies, while a copy with one word changed does not
    assertEquals(0, Cli.lmsctl("audit", "verify", "--out-dir", out.toString()).exit());
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(out.resolve("journal.jsonl")));
    int i = 0;
    while (!lines.get(i).contains("\"switch.after\"")) i++;
    lines.set(i, lines.get(i).replace("\"weight\":100", "\"weight\":90"));
    Path tampered = out.resolve("tampered.jsonl");
    Files.write(tampered, lines);
    Cli.Run bad = Cli.lmsctl("audit", "verify", "--journal", tampered.toString());
    assertEquals(4, bad.exit());
    assertTrue(bad.err().contains("line " + (i + 2) + " does not follow from line " + (i + 1)), bad.err());
  }

  @Test
  void blueUnhealthyAfterTheSwitchStopsTheRunBeforeGreenAndTheReportSaysWhere() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      // Given Blue's pods stop being ready right after the switch
      RunStateMachine runner = new RollbackSteps(sandbox.engine(), Sandbox.ENV, sandbox.env, out, "MAN-003").register(new RunStateMachine(sandbox.journal))
          .hooks(new RunStateMachine.Hooks() {
            @Override public void started() { }

            @Override public void stepFinished(StepRunner.Outcome o) {
              if (o.action().equals("switch-traffic")) makeBlueUnready(sandbox);
            }

            @Override public void finished(RunStateMachine.Result r) { }
          });
      Scenario b = Sandbox.PLAN.scenario("B");

      // When
      var stopped = assertThrows(RunStateMachine.ScenarioStoppedException.class,
          () -> runner.run("B", b, Map.of("environment", Sandbox.ENV, "trigger", "MAN-003"), o -> { }));

      // Then Green was not touched, and the report says where and why it stopped
      assertEquals("verify-blue", stopped.result().stoppedAt());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
      RollbackReport report = new ReportBuilder(Sandbox.PLAN).build(sandbox.journal.file(), null, null);
      assertEquals(RollbackReport.Outcome.FAILED, report.outcome());
      assertEquals("verify-blue", report.stoppedAt());
      assertTrue(report.stopReason().contains("Blue is unhealthy after the switch"), report.stopReason());
      assertFalse(report.steps().stream().anyMatch(s -> s.action().equals("stop-green")));
      String md = MarkdownReport.render(report);
      assertTrue(md.contains("FAILED at verify-blue"), md);
      lms.rollback.testing.ReportAssertions.sectionsInTemplateOrder(md, HtmlReport.render(report));
    }
  }

  static void makeBlueUnready(Sandbox sandbox) {
    var pods = sandbox.store().pods().inNamespace("production").withLabels(sandbox.env.blue().podLabels()).list().getItems();
    for (var p : pods) {
      sandbox.store().pods().inNamespace("production").withName(p.getMetadata().getName()).edit(x -> {
        x.getStatus().getContainerStatuses().forEach(cs -> cs.setReady(false));
        return x;
      });
    }
    sandbox.store().apps().deployments().inNamespace("production").withName("lms-blue").edit(d -> {
      d.getMetadata().getAnnotations().put("poke", String.valueOf(System.nanoTime()));
      return d;
    });
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      var st = sandbox.deployment("lms-blue").getStatus();
      if (st != null && st.getReadyReplicas() != null && st.getReadyReplicas() == 0) return;
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    throw new AssertionError("Blue did not become unready");
  }

  @Test
  void theTriggerReasonIsTheRequestersAndTheApproversStaysWithTheApproval() throws Exception {
    Journal journal = new Journal(out, "jenkins");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "C", "environment", "staging", "trigger", "MAN-004", "requestedBy", "dev.smith",
        "reason", "orphaned leave requests since 02:10"));
    journal.append(Event.GATE_DECISION, Map.of("trigger", "MAN-004", "level", 0, "decision", "approve", "by", "rc.jones", "role", "Release Commander",
        "reason", "confirmed in prod"));
    journal.append(Event.SCENARIO_END, Map.of("scenario", "C", "ok", true));

    RollbackReport r = new ReportBuilder(Sandbox.PLAN).build(journal.file(), null, null);
    String md = MarkdownReport.render(r);

    assertTrue(md.contains("| Trigger reason | MAN-004 Data integrity issue (Manual): orphaned leave requests since 02:10 |"), md);
    assertTrue(md.contains("confirmed in prod"), "the approver's reason beside the approval: " + md);
    assertEquals("Manual", r.trigger().templateType());
    assertTrue(HtmlReport.render(r).contains("Manual; reported: orphaned leave requests since 02:10"));
  }

  @Test
  void theReportsIdsComeFromTheJournalAndAMissingOneSaysWhoSuppliesItNeverAPlaceholder() throws Exception {
    // Given a run whose deployment the job gave, and no incident id
    Journal journal = new Journal(out, "jenkins");
    journal.append(Event.REPORT_IDENTITY, Map.of("deployment", "DEP-877"));
    journal.append(Event.SCENARIO_START, Map.of("scenario", "B", "environment", "production", "trigger", "MAN-001", "requestedBy", "dev.smith"));
    journal.append(Event.SCENARIO_END, Map.of("scenario", "B", "ok", true));

    String before = MarkdownReport.render(new ReportBuilder(Sandbox.PLAN).build(journal.file(), null, null));
    assertTrue(before.contains("**Deployment ID:** DEP-877"), before);
    assertTrue(before.contains("**Incident ID:** not given: the Release Commander records it with lmsctl report --incident ID"), before);
    assertFalse(before.contains("XXXX"), before);

    // When the ticket is noted on its follow-up, then recorded by the report verb (which wins)
    journal.append(Event.FOLLOWUP_DONE, Map.of("action", "Create incident ticket", "note", "opened as INC-2040 in ServiceNow"));
    assertEquals("INC-2040", new ReportBuilder(Sandbox.PLAN).build(journal.file(), null, null).incidentId());
    Cli.Run recorded = Cli.lmsctl("report", "--out-dir", out.toString(), "--incident", "INC-2041", "--format", "md");
    assertEquals(0, recorded.exit(), recorded.err());

    // Then every later report carries it, without the flag
    assertEquals("INC-2041", new ReportBuilder(Sandbox.PLAN).build(journal.file(), null, null).incidentId());
    Cli.Run bad = Cli.lmsctl("report", "--out-dir", out.toString(), "--incident", "INC 2041\n| forged |");
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("--incident: 'INC 2041"), bad.err());
  }

  @Test
  void aReportIsCompletedInTheToolByNamedPeopleAndReadsDraftUntilSomeoneButItsReviewerApprovesIt() throws Exception {
    // Given a completed run whose "Technical root cause identified" was ticked with a note
    Journal journal = new Journal(out, "jenkins");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "B", "environment", "production", "trigger", "MAN-001", "requestedBy", "dev.smith"));
    journal.append(Event.SCENARIO_END, Map.of("scenario", "B", "ok", true));
    journal.append(Event.FOLLOWUP_DONE, Map.of("action", "Technical root cause identified", "note", "null balance in LeaveBalanceCalculator"));
    String md = MarkdownReport.render(new ReportBuilder(Sandbox.PLAN).build(journal.file(), null, null));
    assertTrue(md.contains("was ticked: ") && md.contains("null balance in LeaveBalanceCalculator"), "the ticked note, not 'Not yet known': " + md);
    assertTrue(md.contains("**Report status:** DRAFT"), md);
    String dir = out.toString();

    // When the analyst writes the root cause and lessons, the Release Manager reviews and the reviewer tries to approve
    assertEquals(0, Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--root-cause", "Green's LeaveBalanceCalculator divides by a null balance",
        "--lessons", "Canary the balance service with real accrual data", "--by", "lead.kim", "--groups", "lms-devops-leads").exit());
    assertEquals(0, Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "reviewed", "--by", "rm.ada", "--groups", "lms-release-managers").exit());
    Cli.Run self = Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "approved", "--by", "rm.ada", "--groups", "lms-release-managers");
    Cli.Run outsider = Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "approved", "--by", "eve", "--groups", "lms-nobody");
    int entries = journal.read().size();
    assertEquals(5, self.exit(), self.err());
    assertTrue(self.err().contains("rm.ada reviewed this report and may not also approve it"), self.err());
    assertEquals(5, outsider.exit(), outsider.err());
    assertTrue(outsider.err().contains("eve holds no role of the plan"), outsider.err());
    assertEquals(entries, journal.read().size(), "a refused sign-off writes nothing");
    String draft = Files.readString(out.resolve("rollback-report.md"));
    assertTrue(draft.contains("**Report status:** DRAFT") && draft.contains("Reviewed by: rm.ada, Release Manager, "), draft);

    // Then someone else approves: APPROVED with who and when, and each part says whose it is
    assertEquals(0, Cli.lmsctl("report", "--out-dir", dir, "--sign", "approved", "--by", "rc.jones", "--groups", "lms-release-commanders").exit());
    String approved = Files.readString(out.resolve("rollback-report.md"));
    assertTrue(approved.contains("**Report status:** APPROVED by rc.jones, Release Commander, "), approved);
    assertTrue(approved.contains("Green's LeaveBalanceCalculator divides by a null balance (lead.kim, DevOps Lead, "), approved);
    assertTrue(approved.contains("Canary the balance service with real accrual data (lead.kim, DevOps Lead, "), approved);
    assertTrue(approved.contains("Approved by: rc.jones, Release Commander, "), approved);
    assertTrue(Files.readString(out.resolve("rollback-report.html")).contains("APPROVED by rc.jones"));
  }

  @Test
  void signOffIsFourEyesAndAChangeAfterApprovalReturnsTheReportToDraft() throws Exception {
    Journal journal = new Journal(out, "jenkins");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "B", "environment", "production", "trigger", "MAN-001", "requestedBy", "dev.smith"));
    journal.append(Event.SCENARIO_END, Map.of("scenario", "B", "ok", true));
    String dir = out.toString();
    // rm.lee prepares, then reviews the same report: refused, naming the rule
    assertEquals(0, Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "prepared", "--by", "rm.lee", "--groups", "lms-release-managers").exit());
    int entries = journal.read().size();
    Cli.Run reviewsOwn = Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "reviewed", "--by", "rm.lee", "--groups", "lms-release-managers");
    assertEquals(5, reviewsOwn.exit(), reviewsOwn.out() + reviewsOwn.err());
    assertTrue(reviewsOwn.err().contains("rm.lee prepared this report and may not also review it")
        && reviewsOwn.err().contains("preparer, reviewer and approver are three different people"), reviewsOwn.err());
    // rm.lee prepares, rc.jones reviews, rm.lee approves: refused
    assertEquals(0, Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "reviewed", "--by", "rc.jones", "--groups", "lms-release-commanders").exit());
    Cli.Run approvesOwn = Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "approved", "--by", "rm.lee", "--groups", "lms-release-managers");
    assertEquals(5, approvesOwn.exit(), approvesOwn.out() + approvesOwn.err());
    assertTrue(approvesOwn.err().contains("rm.lee prepared this report and may not also approve it"), approvesOwn.err());
    assertEquals(entries + 1, journal.read().size(), "refused sign-offs write nothing");
    assertFalse(Files.readString(out.resolve("rollback-report.md")).contains("APPROVED"));

    // a third person approves; then dev.smith changes the root cause: DRAFT again, said by the command and the report
    assertEquals(0, Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "approved", "--by", "lead.kim", "--groups", "lms-devops-leads").exit());
    assertTrue(Files.readString(out.resolve("rollback-report.md")).contains("**Report status:** APPROVED by lead.kim"));
    Cli.Run changed = Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--root-cause", "the cache was never the cause at all",
        "--by", "dev.smith", "--groups", "lms-devops-oncall");
    assertEquals(0, changed.exit(), changed.out() + changed.err());
    assertTrue(changed.out().contains("The report was APPROVED by lead.kim; this change returns it to DRAFT"), changed.out());
    String md = Files.readString(out.resolve("rollback-report.md"));
    assertTrue(md.contains("**Report status:** DRAFT — returned to draft: root-cause changed by dev.smith") && md.contains("after its approval by lead.kim"), md);
    assertFalse(md.contains("APPROVED by"), md);
    // approved again only after a new review
    Cli.Run unreviewed = Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "approved", "--by", "lead.kim", "--groups", "lms-devops-leads");
    assertEquals(2, unreviewed.exit(), unreviewed.err());
    assertEquals(0, Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "reviewed", "--by", "rc.jones", "--groups", "lms-release-commanders").exit());
    assertEquals(0, Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--sign", "approved", "--by", "lead.kim", "--groups", "lms-devops-leads").exit());
    assertTrue(Files.readString(out.resolve("rollback-report.md")).contains("**Report status:** APPROVED by lead.kim"));
  }

  @Test
  void usersAffectedIsTheIncidentOwnersCountJournaledWithWhoGaveIt() throws Exception {
    // Given a run whose report cannot know how many users were affected
    Journal journal = new Journal(out, "jenkins");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "B", "environment", "production", "trigger", "MAN-001", "requestedBy", "dev.smith"));
    journal.append(Event.SCENARIO_END, Map.of("scenario", "B", "ok", true));
    String dir = out.toString();
    assertEquals(0, Cli.lmsctl("report", "--out-dir", dir, "--format", "md").exit());
    assertTrue(Files.readString(out.resolve("rollback-report.md")).contains("- Users affected: users of production saw elevated error rate (MAN-001); "
        + "the count is the incident owner's to add with lmsctl report --users-affected N"));

    // When a count that is none is given, then the Release Commander's
    Cli.Run negative = Cli.lmsctl("report", "--out-dir", dir, "--users-affected", "-3", "--by", "rc.jones", "--groups", "lms-release-commanders");
    int entries = journal.read().size();
    Cli.Run given = Cli.lmsctl("report", "--out-dir", dir, "--format", "md", "--users-affected", "1240", "--by", "rc.jones", "--groups",
        "lms-release-commanders");

    // Then the first is refused, writing nothing, and the second fills Impact, saying whose count it is
    assertEquals(2, negative.exit(), negative.err());
    assertTrue(negative.err().contains("--users-affected: -3 is not a count of users; allowed: 0 or more"), negative.err());
    assertEquals(0, given.exit(), given.err());
    assertEquals(entries + 1, journal.read().size());
    String md = Files.readString(out.resolve("rollback-report.md"));
    assertTrue(md.contains("- Users affected: 1240 users (rc.jones, Release Commander, "), md);
    assertTrue(md.contains("; users of production saw elevated error rate (MAN-001)\n"), md);
  }

  @Test
  void aReasonWithALineBreakCannotForgeARowOfTheMarkdownReport() throws Exception {
    Journal journal = new Journal(out, "jenkins");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "A", "environment", "production", "trigger", "MAN-001"));
    journal.append(Event.GATE_DECISION, Map.of("trigger", "MAN-001", "level", 0, "decision", "approve", "by", "rc.jones", "role", "Release Commander",
        "reason", "looks bad |\n| Approved by | ceo.fake |\n<script>alert(1)</script>"));
    journal.append(Event.SCENARIO_END, Map.of("scenario", "A", "ok", true));

    String md = MarkdownReport.render(new ReportBuilder(Sandbox.PLAN).build(journal.file(), null, null));

    assertFalse(md.lines().anyMatch(l -> l.startsWith("| Approved by | ceo.fake")), md);
    assertFalse(md.contains("<script>"), md);
    assertTrue(md.contains("looks bad \\| \\| Approved by \\| ceo.fake \\|"), md);
  }

  @Test
  void aJournalOfSingleVerbsIsNotReportedAsACompletedRollbackOfNoSteps() throws Exception {
    Journal journal = new Journal(out, "ops.terminal");
    journal.append(Event.VERB_START, Map.of("verb", "switch", "environment", "production", "args", "--env production"));
    journal.appendPersonal("command", Map.of("command", "kubectl patch virtualservice lms-vs", "outcome", "ok"));
    journal.append(Event.VERB_END, Map.of("verb", "switch", "exitCode", 0, "millis", 40));

    String md = MarkdownReport.render(new ReportBuilder(Sandbox.PLAN).build(journal.file(), null, null));

    // §10's step verbs are the steps they ran: a switch alone is not a completed rollback, and says what has not run yet
    assertTrue(md.contains("**Outcome:** INTERRUPTED after Execute traffic switch: the steps are run one by one (§10) and lmsctl verify-blue has not run yet"), md);
    assertFalse(md.contains("**Outcome:** completed in"), md);
  }

  @Test
  void aStepEndWithoutABudgetIsReportedNotACrash() throws Exception {
    Journal journal = new Journal(out, "alice");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "B", "environment", "production", "trigger", "AUTO-001"));
    journal.append(Event.STEP_END, Map.of("action", "verify-blue", "title", "Verify Blue health", "millis", 5, "ok", true));

    RollbackReport r = new ReportBuilder(Sandbox.PLAN).build(journal.file(), null, null);

    assertEquals(1, r.steps().size());
    assertEquals(java.time.Duration.ZERO, r.steps().get(0).budget());
  }

  @Test
  void aRunKilledMidStepIsReportedAsInterruptedAtThatStep() throws Exception {
    Journal journal = new Journal(out, "alice");
    journal.append(Event.SCENARIO_START, Map.of("scenario", "C", "environment", "production", "trigger", "MAN-004"));
    journal.append(Event.STEP_START, Map.of("action", "announce", "title", "Announce rollback", "budget", "30s"));
    journal.append(Event.STEP_END, Map.of("action", "announce", "title", "Announce rollback", "millis", 12, "budget", "30s", "ok", true, "detail", ""));
    journal.append(Event.STEP_START, Map.of("action", "switch-traffic", "title", "Execute traffic switch", "budget", "2m"));

    RollbackReport r = new ReportBuilder(Sandbox.PLAN).build(journal.file(), null, null);

    assertEquals(RollbackReport.Outcome.INTERRUPTED, r.outcome());
    assertEquals("Execute traffic switch", r.stoppedAt());
    List<Path> files = ReportWriter.write(r, out, EnumSet.allOf(ReportWriter.Format.class));
    assertEquals(4, files.size());
    assertTrue(Files.readString(out.resolve("rollback-report.md")).contains("INTERRUPTED during Execute traffic switch"));
  }

  @Test
  void humanDecisionTimeIsKeptApartFromMachineTime() throws Exception {
    Journal journal = new Journal(out, "jenkins", java.time.Clock.fixed(java.time.Instant.parse("2026-11-24T02:00:00Z"), java.time.ZoneOffset.UTC));
    journal.append(Event.SCENARIO_START, Map.of("scenario", "A", "environment", "production", "trigger", "MAN-001"));
    journal.append(Event.GATE_OPENED, Map.of("trigger", "MAN-001", "level", 0));
    Journal later = new Journal(out, "jenkins", java.time.Clock.fixed(java.time.Instant.parse("2026-11-24T02:03:10Z"), java.time.ZoneOffset.UTC));
    later.append(Event.GATE_DECISION, Map.of("trigger", "MAN-001", "level", 0, "decision", "approve", "by", "rc.jones", "role", "Release Commander",
        "reason", "error rate 3% for 20 minutes"));
    later.append(Event.STEP_START, Map.of("action", "switch-traffic", "title", "Execute traffic switch", "budget", "2m"));
    later.append(Event.STEP_END, Map.of("action", "switch-traffic", "title", "Execute traffic switch", "millis", 800, "budget", "2m", "ok", true, "detail", ""));
    later.append(Event.SCENARIO_END, Map.of("scenario", "A", "ok", true));

    RollbackReport r = new ReportBuilder(Sandbox.PLAN).build(journal.file(), null, null);

    assertEquals(Duration.ofSeconds(190), r.humanTime());
    assertEquals(Duration.ofMillis(800), r.machineTime());
    assertEquals("rc.jones", r.decision().by());
    assertTrue(HtmlReport.render(r).contains("MAN-001 level 0 — Release Commander: approve by rc.jones"));
  }

  @Test
  void theGatesBeforeTheRunAreItsHumanShareNotItsMachineTime() throws Exception {
    // given the order Jenkins journals in: a previous run, then this rollback's gate, then its scenario
    Journal earlier = new Journal(out, "jenkins", java.time.Clock.fixed(java.time.Instant.parse("2026-11-23T09:00:00Z"), java.time.ZoneOffset.UTC));
    earlier.append(Event.SCENARIO_START, Map.of("scenario", "A", "environment", "staging", "trigger", "MAN-003"));
    earlier.append(Event.GATE_OPENED, Map.of("trigger", "MAN-003", "level", 0));
    earlier.append(Event.SCENARIO_END, Map.of("scenario", "A", "ok", true));
    Journal at0 = new Journal(out, "jenkins", java.time.Clock.fixed(java.time.Instant.parse("2026-11-24T02:00:00Z"), java.time.ZoneOffset.UTC));
    at0.append(Event.GATE_OPENED, Map.of("trigger", "MAN-001", "level", 0, "database", false));
    at0.append(Event.GATE_NOTIFIED, Map.of("trigger", "MAN-001", "level", 0, "kind", "opened", "decider", "Release Commander",
        "reached", List.of(Map.of("title", "Release Commander"), Map.of("title", "DevOps On-Call")),
        "channels", List.of(Map.of("channel", "war-room", "status", "sent"), Map.of("channel", "email", "status", "failed"))));
    Journal at5 = new Journal(out, "jenkins", java.time.Clock.fixed(java.time.Instant.parse("2026-11-24T02:05:00Z"), java.time.ZoneOffset.UTC));
    at5.append(Event.GATE_DECISION, Map.of("trigger", "MAN-001", "level", 0, "decision", "timeout", "by", "timeout", "role", "Release Commander"));
    at5.append(Event.GATE_CLOSED, Map.of("trigger", "MAN-001", "level", 0, "outcome", "timeout", "by", "timeout", "role", "Release Commander"));
    at5.append(Event.GATE_OPENED, Map.of("trigger", "MAN-001", "level", 1));
    Journal at6 = new Journal(out, "jenkins", java.time.Clock.fixed(java.time.Instant.parse("2026-11-24T02:06:00Z"), java.time.ZoneOffset.UTC));
    at6.append(Event.GATE_DECISION, Map.of("trigger", "MAN-001", "level", 1, "decision", "approve", "by", "lead.kim", "role", "DevOps Lead", "reason", "RC unreachable"));
    at6.append(Event.GATE_CLOSED, Map.of("trigger", "MAN-001", "level", 1, "outcome", "approve", "by", "lead.kim", "role", "DevOps Lead"));
    at6.append(Event.SCENARIO_START, Map.of("scenario", "A", "environment", "production", "trigger", "MAN-001"));
    at6.append(Event.STEP_END, Map.of("action", "switch-traffic", "title", "Execute traffic switch", "millis", 900, "budget", "2m", "ok", true, "detail", ""));
    at6.append(Event.SCENARIO_END, Map.of("scenario", "A", "ok", true));

    // when the report is built
    RollbackReport r = new ReportBuilder(Sandbox.PLAN).build(at6.file(), null, null);

    // then each prompt's wait is there, the earlier run's open prompt is not, and the run's total is its machine time
    assertEquals(List.of("MAN-001 level 0 — Release Commander: timeout", "MAN-001 level 1 — DevOps Lead: approve by lead.kim"),
        r.humanWaits().stream().map(RollbackReport.HumanWait::label).toList());
    assertEquals(Duration.ofMinutes(6), r.humanTime());
    assertEquals(Duration.ZERO, r.total());
    assertEquals(Duration.ofMillis(900), r.machineTime());
    assertEquals("lead.kim", r.decision().by());
    String md = MarkdownReport.render(r);
    assertTrue(md.contains("Waiting for people: 6m; machine time in steps: 0.9s."), md);
    assertTrue(md.contains("| 02:00:00 | opened | MAN-001 level 0 | Release Commander | Release Commander, DevOps On-Call | war-room sent, email failed |"), md);
  }
}
