package lms.rollback.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** What every report a person receives must hold, whatever the run did. */
public final class ReportAssertions {
  private ReportAssertions() {}

  /**
   * §8.2's order in both formats — summary, timeline, trigger, impact, root cause, corrective actions, lessons,
   * approvals — the audit detail after; and no template placeholder ([INC-XXXX], [Name], …) anywhere a person reads.
   */
  public static void sectionsInTemplateOrder(String md, String html) {
    List<String> order = List.of("Summary", "Timeline", "Trigger", "Impact", "Root Cause", "Corrective Actions", "Lessons Learned", "Approvals", "Audit trail");
    int last = -1;
    for (String section : order) {
      int at = md.indexOf("\n## " + section);
      assertTrue(at > last, section + " out of §8.2's order in the Markdown: " + md);
      last = at;
    }
    last = -1;
    for (String section : order.subList(1, order.size() - 1)) {
      int at = html.indexOf("<h2>" + section);
      assertTrue(at > last, section + " out of §8.2's order in the HTML");
      last = at;
    }
    assertTrue(html.indexOf("<h2>Steps executed") > html.indexOf("<h2>Approvals"), "the audit detail comes after the approvals");
    java.util.regex.Matcher placeholder = java.util.regex.Pattern.compile("\\[(INC-X+|DEP-X+|DATE|Name|Estimate|X minutes|Auto/Manual/Business|[A-Z][a-z]+ [a-z ]+)\\]")
        .matcher(md + html);
    assertFalse(placeholder.find(), () -> "a placeholder reaches a person: " + placeholder.group());
  }

}
