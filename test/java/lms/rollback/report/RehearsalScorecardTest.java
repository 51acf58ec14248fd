package lms.rollback.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import javax.xml.parsers.DocumentBuilderFactory;
import lms.rollback.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** §9.2: the scorecard carries what was measured, as each case's time and in its name, so Jenkins trends it. */
class RehearsalScorecardTest {

  @TempDir Path out;

  @Test
  void eachItemSaysWhatWasMeasuredAndTimesAreTheRunsTimes() throws Exception {
    assertEquals(0, Cli.lmsctl("sandbox", "--out-dir", out.toString(), "--termination-delay", "50ms", "-o", "json").exit());

    Cli.Run r = Cli.lmsctl("report", "--out-dir", out.toString(), "--format", "json", "--scorecard");

    assertEquals(0, r.exit(), r.err());
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(out.resolve("rehearsal-scorecard-junit.xml").toFile());
    NodeList cases = doc.getElementsByTagName("testcase");
    assertEquals(5, cases.getLength());
    for (int i = 0; i < cases.getLength(); i++) {
      Element c = (Element) cases.item(i);
      assertTrue(c.getAttribute("name").contains(": measured "), c.getAttribute("name"));
      if (c.getAttribute("name").startsWith("#1 ") || c.getAttribute("name").startsWith("#4 ")) {
        assertTrue(Double.parseDouble(c.getAttribute("time")) > 0, "a measured time, not 0.000: " + c.getAttribute("name"));
      }
    }
    assertTrue(((Element) cases.item(0)).getAttribute("name").startsWith("#1 Traffic switch to Blue (< 1 minute): measured "));
  }

  /** A clock the test moves: the journal's times are a restore's, not the test's milliseconds. */
  static final class MovingClock extends java.time.Clock {
    java.time.Instant now = java.time.Instant.parse("2026-11-02T03:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  /** The quarterly restore rehearsal (scenario D on dr) as its journal has it, each step ending well, {@code minutes} long in all. */
  private java.util.List<RehearsalScorecard.Score> restoreRehearsal(int minutes) {
    lms.rollback.plan.Plan plan = lms.rollback.testing.Sandbox.PLAN;
    MovingClock clock = new MovingClock();
    lms.rollback.audit.Journal j = new lms.rollback.audit.Journal(out, "timer", clock);
    j.append(lms.rollback.audit.Event.SCENARIO_START, java.util.Map.of("scenario", "D", "environment", "dr", "trigger", "MAN-004", "rehearsal", true,
        "rehearsalOf", "backup-restore"));
    java.util.Map<String, String> details = java.util.Map.of("restore-database", "restored /backups/lms-latest.dump with pg_restore",
        "verify-restore", "3/3 Blue replicas ready; 3 integrity checks passed; maintenance off, traffic on Blue",
        "stop-green", "3 -> 0 replicas, 3 log(s) preserved, no Green pod left");
    var steps = plan.scenario("D").steps();
    for (var step : steps) {
      String action = step.action().key();
      j.append(lms.rollback.audit.Event.STEP_START, java.util.Map.of("action", action, "title", step.title()));
      clock.now = clock.now.plus(Duration.ofMinutes(minutes).dividedBy(steps.size()));
      j.append(lms.rollback.audit.Event.STEP_END, java.util.Map.of("action", action, "title", step.title(), "millis",
          Duration.ofMinutes(minutes).dividedBy(steps.size()).toMillis(), "budget", step.budget().text(), "ok", true,
          "detail", details.getOrDefault(action, "done")));
    }
    j.append(lms.rollback.audit.Event.SCENARIO_END, java.util.Map.of("scenario", "D", "state", "completed", "ok", true));
    return RehearsalScorecard.score(new ReportBuilder(plan).build(j.file(), null, null), plan);
  }

  private static RehearsalScorecard.Score item(java.util.List<RehearsalScorecard.Score> card, int id) {
    return card.stream().filter(s -> s.item().id() == id).findFirst().orElseThrow(() -> new AssertionError("#" + id + " not on " + card));
  }

  @Test
  void theRestoreRehearsalIsScoredOnItsOwnStepsAndAgainstItsOwnTarget() {
    var card = restoreRehearsal(42);

    assertTrue(RehearsalScorecard.passed(card), card.toString());
    assertEquals("Total restore time", item(card, 4).item().test(), "§5.4's own row, not §1.1's 15 minutes");
    assertEquals("passed", item(card, 4).state());
    assertEquals("42m of scenario D's target 30m-60m", item(card, 4).measured());
    assertEquals(Duration.ofMinutes(42), item(card, 4).took());
    assertEquals("passed", item(card, 6).state(), "the restore: " + item(card, 6).measured());
    assertEquals("passed", item(card, 7).state());
    assertEquals("passed", item(card, 8).state());
    assertEquals("passed", item(card, 3).state(), "Green is scaled down after the restore");
    for (int notItsStep : new int[] {1, 2}) {
      assertEquals("not-applicable", item(card, notItsStep).state(), item(card, notItsStep).measured());
    }
    assertTrue(item(card, 2).measured().contains("scenario D has no verify-blue step"), item(card, 2).measured());
    // nothing to score is not a failure: this run journaled no smoke test
    assertEquals("not-applicable", item(card, 5).state(), item(card, 5).measured());
    card.forEach(s -> assertFalse(s.measured().contains("0 of 0"), s.measured()));
    assertEquals(8, card.size(), "no other scenario's rows: " + card);
  }

  @Test
  void aRestoreRehearsalPastItsOwnTargetFailsThatRow() {
    var card = restoreRehearsal(61);

    assertFalse(RehearsalScorecard.passed(card));
    assertEquals("failed", item(card, 4).state());
    assertEquals("#4 Total restore time (measured 61m of scenario D's target 30m-60m)", RehearsalScorecard.failures(card));
  }

  @Test
  void aScenarioWithoutAGreenShutdownIsNotScoredOnOne() throws Exception {
    try (lms.rollback.testing.Sandbox sandbox = lms.rollback.testing.Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      // scenario A, the traffic-switch rehearsal's: switch and verify, Green kept running
      lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001");
      Cli.Run run = Cli.lmsctl("rollback", "--scenario", "A", "--env", lms.rollback.testing.Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig",
          kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s");
      assertEquals(0, run.exit(), run.out() + run.err());

      assertEquals(0, Cli.lmsctl("report", "--out-dir", out.toString(), "--format", "json", "--scorecard").exit());

      var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(out.resolve("rehearsal-scorecard-junit.xml").toFile());
      Element suite = (Element) doc.getElementsByTagName("testsuite").item(0);
      Element green = (Element) doc.getElementsByTagName("testcase").item(2);
      assertTrue(green.getAttribute("name").startsWith("#3 Green shutdown"), green.getAttribute("name"));
      assertTrue(((Element) green.getElementsByTagName("skipped").item(0)).getAttribute("message").contains("scenario A has no stop-green step"),
          green.getAttribute("name"));
      assertEquals(0, green.getElementsByTagName("failure").getLength(), "Green kept running is scenario A by design, not a failure");
      // and on the cluster only, Blue's HTTP and Prometheus checks and the smoke tests were never made: not measured is
      // not passed (#38 item 13), never "0 of 0 passed" nor skipped
      Element blue = (Element) doc.getElementsByTagName("testcase").item(1);
      Element smoke = (Element) doc.getElementsByTagName("testcase").item(4);
      assertTrue(((Element) blue.getElementsByTagName("failure").item(0)).getAttribute("message").contains("not measured: the run did not check Blue's health"),
          blue.getAttribute("name"));
      assertTrue(((Element) smoke.getElementsByTagName("failure").item(0)).getAttribute("message").contains("not measured: the run did not check the smoke tests"),
          smoke.getAttribute("name"));
      assertEquals("1", suite.getAttribute("skipped"));
      assertEquals("2", suite.getAttribute("failures"));
    }
  }
}
