package lms.rollback.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §8.2 whole in every format, and the §7 follow-ups tracked: ticked by the engine or by a person, open and overdue listed. */
class IncidentReportTest {

  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path out;

  @BeforeEach
  void aSandboxRollback() {
    Cli.Run run = Cli.lmsctl("sandbox", "--out-dir", out.toString(), "--termination-delay", "50ms", "-o", "json");
    assertEquals(0, run.exit(), run.err());
  }

  private JsonNode followUps() throws Exception {
    Cli.Run r = Cli.lmsctl("followups", "--out-dir", out.toString(), "-o", "json");
    assertEquals(0, r.exit(), r.err());
    return JSON.readTree(r.out());
  }

  private static JsonNode item(JsonNode list, String action) {
    for (JsonNode i : list.path("items")) if (i.path("action").asText().equals(action)) return i;
    throw new AssertionError(action + " not listed in " + list);
  }

  @Test
  void everySectionOfTheTemplateIsInTheHtmlAndNoPlaceholderIsLeft() throws Exception {
    String html = Files.readString(out.resolve("rollback-report.html"));
    String md = Files.readString(out.resolve("rollback-report.md"));
    for (String section : List.of("Timeline", "Trigger", "Impact", "Root Cause", "Corrective Actions", "Lessons Learned", "Approvals")) {
      assertTrue(html.contains("<h2>" + section), section + " missing from the HTML");
      assertTrue(md.contains("## " + section), section + " missing from the Markdown");
    }
    for (String placeholder : List.of("[Estimate]", "[Key takeaways]", "[Name]", "[Preliminary or final RCA]")) {
      assertFalse(md.contains(placeholder) || html.contains(placeholder), placeholder + " left in the report");
    }
    lms.rollback.testing.ReportAssertions.sectionsInTemplateOrder(md, html);
    // §7.3 in the plan and the report, due when its owner sets it; §6.1 planned against sent; the template's trigger type
    assertTrue(md.contains("### Corrective actions (§7.3)") && md.contains("| Fix identified issue | Development | set by Development (§7.3) | open |"), md);
    assertTrue(md.contains("### Communication schedule (§6.1): planned against sent") && md.contains("| T+2m (") && md.contains("traffic-switched"), md);
    assertTrue(md.contains("- Type: Auto\n"), md);
    // the timeline starts at the deployment and the detection, not at the rollback
    assertTrue(md.contains("Deployment started (Green deployed)") && md.contains("Issue detected"), md);
    assertTrue(md.indexOf("Deployment started") < md.indexOf("Rollback requested"), md);
    // #36 item 12: the Impact counts what Green served from its deployment to the switch, as requests, with the query asked
    String served = md.lines().filter(l -> l.startsWith("- Requests served by Green (from its deployment to the switch): ")).findFirst().orElseThrow(() -> new AssertionError(md));
    assertTrue(served.matches(".*: [0-9,]+ requests to lms-green, [0-9,]+ of them errors \\(5xx\\).*"), served);
    assertTrue(served.contains("queries: sum(increase(http_requests_total{service=\"lms-green\"}["), served);
    assertTrue(html.contains("requests to lms-green"), "in the HTML too");
    // and says who asked for the rollback (#37): the requester the run's start journaled
    String requester = null;
    for (String line : Files.readAllLines(out.resolve("journal.jsonl"))) {
      JsonNode e = JSON.readTree(line);
      if (e.path("type").asText().equals("scenario.start")) requester = e.path("data").path("requestedBy").asText();
    }
    assertTrue(requester != null && !requester.isBlank(), "the run journaled no requester");
    assertTrue(md.contains("Rollback requested (scenario B) by " + requester + " |"), md);
    // human and machine time shown and summed
    assertTrue(md.contains("machine ") && md.contains("+ human decisions") && md.contains("+ the rest between steps"), md);
  }

  @Test
  void checksAreCountedOnceEach() throws Exception {
    long results = new Journal(out, "t").read().stream().filter(e -> e.type().equals("check.result")).count();
    JsonNode json = JSON.readTree(out.resolve("rollback-report.json").toFile());
    assertEquals(results, json.path("checks").size(), "one row per check the run journaled, no summary rows: " + json.path("checks"));
    String html = Files.readString(out.resolve("rollback-report.html"));
    assertTrue(html.contains("<b>" + results + " / " + results + "</b><span>checks passed"), "the figure counts the same checks");
  }

  @Test
  void theEngineTicksWhatItDidAndAPersonTicksTheRest() throws Exception {
    JsonNode before = followUps();
    assertEquals("done", item(before, "Preserve Green environment logs").path("state").asText(), "the engine preserved the logs");
    assertTrue(item(before, "Preserve Green environment logs").path("done").asText().contains("logs.preserved"));
    assertEquals("open", item(before, "Create incident ticket").path("state").asText());

    // a follow-up the plan does not have is refused, naming the allowed ones
    Cli.Run bad = Cli.lmsctl("followups", "done", "--action", "Buy cake", "--out-dir", out.toString());
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("\"Create incident ticket\""), bad.err());

    // so is a folder without a rollback (a mistyped build number): the attempt is journaled there, no tick
    Path elsewhere = out.resolve("build-42");
    Cli.Run wrongFolder = Cli.lmsctl("followups", "done", "--action", "create incident ticket", "--out-dir", elsewhere.toString());
    assertEquals(2, wrongFolder.exit());
    assertTrue(wrongFolder.err().contains("--out-dir: " + elsewhere + " holds no rollback"), wrongFolder.err());
    assertFalse(Files.readString(elsewhere.resolve("journal.jsonl")).contains("followup.done"));

    Cli.Run done = Cli.lmsctl("followups", "done", "--action", "create incident ticket", "--note", "INC-2041", "--actor", "rc.jones",
        "--out-dir", out.toString());
    assertEquals(0, done.exit(), done.err());

    JsonNode after = followUps();
    assertEquals("done", item(after, "Create incident ticket").path("state").asText());
    assertTrue(item(after, "Create incident ticket").path("done").asText().startsWith("rc.jones") && item(after, "Create incident ticket").path("done").asText().endsWith("INC-2041"));
    assertEquals(before.path("open").asLong() - 1, after.path("open").asLong());
    // and the report, rendered again, shows it
    assertEquals(0, Cli.lmsctl("report", "--out-dir", out.toString(), "--format", "md").exit());
    assertTrue(Files.readString(out.resolve("rollback-report.md")).contains("| Create incident ticket | Release Manager |"));
    assertTrue(Files.readString(out.resolve("rollback-report.md")).contains("✓ rc.jones"));
  }

  /** #38 item 14: a note with escape sequences (a title change, a colour, a cursor move) is listed as text, not obeyed. */
  @Test
  void aNotesEscapeSequencesNeverReachTheTerminal() throws Exception {
    String note = "INC-2041\u001b]0;owned\u0007\u001b[2J\u001b[31mall good\u009b1A\rdone";
    Cli.Run done = Cli.lmsctl("followups", "done", "--action", "create incident ticket", "--note", note, "--actor", "rc.jones",
        "--out-dir", out.toString());
    assertEquals(0, done.exit(), done.err());

    Cli.Run text = Cli.lmsctl("followups", "--out-dir", out.toString());
    assertEquals(0, text.exit(), text.err());
    String line = text.out().lines().filter(l -> l.contains("Create incident ticket")).findFirst().orElseThrow(() -> new AssertionError(text.out()));
    assertTrue(line.contains("INC-2041") && line.contains("all good") && line.contains("done"), "the words stay readable: " + line);
    assertTrue(text.out().chars().noneMatch(c -> Character.getType(c) == Character.CONTROL && c != '\n'),
        "no control character reaches the terminal: " + text.out().replace("\u001b", "<ESC>"));

    Cli.Run json = Cli.lmsctl("followups", "--out-dir", out.toString(), "-o", "json");
    assertEquals(0, json.exit(), json.err());
    assertTrue(json.out().chars().noneMatch(c -> Character.getType(c) == Character.CONTROL && c != '\n'), "JSON escapes them too");
    assertTrue(item(JSON.readTree(json.out()), "Create incident ticket").path("done").asText().endsWith(": " + note),
        "the journal keeps what was typed; only the terminal is spared");
  }
}
