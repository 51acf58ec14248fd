package lms.rollback.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
      assertEquals("1", suite.getAttribute("skipped"));
    }
  }
}
