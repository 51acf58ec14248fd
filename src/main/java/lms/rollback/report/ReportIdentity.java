package lms.rollback.report;

import java.util.List;
import java.util.regex.Pattern;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/**
 * The report's incident and deployment ids (§8.2 header): given on the run's call or the report's
 * (`--incident`, `--deployment`, journaled as report.identity), or — for the incident — the ticket a person
 * noted when ticking "Create incident ticket". Never a placeholder: an id nobody gave says who supplies it.
 */
public final class ReportIdentity {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,63}");
  private static final Pattern TICKET = Pattern.compile("\\b[A-Z][A-Z0-9]*-\\d+\\b");

  private ReportIdentity() {}

  /** The id as given, or null; refuses anything but a short id (it is printed in headers, subjects and file names). */
  public static String checked(String option, String value) {
    if (value == null || value.isBlank()) return null;
    if (!ID.matcher(value).matches()) {
      throw new LmsException(ExitCode.INVALID_INPUT, option + ": '" + value + "' is not an id; allowed: letters, digits and . _ / - "
          + "(up to 64, starting with a letter or digit), e.g. INC-2041");
    }
    return value;
  }

  /** Journals the ids given (null: not given), so every later report and message of the run carries them. */
  public static void record(Journal journal, String incident, String deployment) {
    if (incident == null && deployment == null) return;
    java.util.Map<String, Object> ids = new java.util.LinkedHashMap<>();
    if (incident != null) ids.put("incident", incident);
    if (deployment != null) ids.put("deployment", deployment);
    journal.append(Event.REPORT_IDENTITY, ids);
  }

  /** The latest id journaled for {@code key} (incident or deployment) in these entries; for an incident, else the ticket noted. */
  static String journaled(List<Journal.Entry> entries, String key) {
    String given = null;
    String noted = null;
    for (Journal.Entry e : entries) {
      if (e.is(Event.REPORT_IDENTITY) && e.data().hasNonNull(key)) given = e.data().path(key).asText();
      if (key.equals("incident") && e.is(Event.FOLLOWUP_DONE)
          && e.data().path("action").asText("").equalsIgnoreCase("Create incident ticket")) {
        var m = TICKET.matcher(e.data().path("note").asText(""));
        if (m.find()) noted = m.group();
      }
    }
    return given != null ? given : noted;
  }

  /** How a missing id reads: who supplies it, and with what. */
  static String missing(String key) {
    return "not given: the Release Commander records it with lmsctl report --" + key + " ID";
  }
}
