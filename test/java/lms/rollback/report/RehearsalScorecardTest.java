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
}
