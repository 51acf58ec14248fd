package lms.rollback.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/**
 * What people add to the §8.2 report after the run: its root cause, its lessons learned, how many users the issue
 * affected (lmsctl measures no users: it is the incident owner's count), and who prepared, reviewed
 * and approved it — each a journal entry by a named person with the plan role their groups give them. A report is a
 * DRAFT until someone other than its reviewer has approved it.
 */
public record ReportCompletion(Part rootCause, Part lessons, Part usersAffected, List<SignOff> signOffs) {
  public static final List<String> SIGN_AS = List.of("prepared", "reviewed", "approved");

  /** A section's text, who wrote it (and as what), when. */
  public record Part(String text, String by, String role, Instant at) {}

  public record SignOff(String as, String by, String role, Instant at) {}

  public static final ReportCompletion NONE = new ReportCompletion(null, null, null, List.of());

  public SignOff signed(String as) {
    SignOff last = null;
    for (SignOff s : signOffs) if (s.as().equals(as)) last = s;
    return last;
  }

  public boolean approved() {
    return signed("approved") != null;
  }

  /** Read from the run's entries: the latest text of each part, the latest sign-off of each kind. */
  static ReportCompletion of(List<Journal.Entry> entries) {
    Part rootCause = null;
    Part lessons = null;
    Part usersAffected = null;
    List<SignOff> signOffs = new ArrayList<>();
    for (Journal.Entry e : entries) {
      var d = e.data();
      if (e.is(Event.REPORT_PART)) {
        Part p = new Part(d.path("text").asText(), d.path("by").asText(), d.path("role").asText(), e.ts());
        if (d.path("part").asText().equals("root-cause")) rootCause = p;
        if (d.path("part").asText().equals("lessons-learned")) lessons = p;
        if (d.path("part").asText().equals("users-affected")) usersAffected = p;
      }
      if (e.is(Event.REPORT_SIGNOFF)) signOffs.add(new SignOff(d.path("as").asText(), d.path("by").asText(), d.path("role").asText(), e.ts()));
    }
    return new ReportCompletion(rootCause, lessons, usersAffected, List.copyOf(signOffs));
  }

  /** Refuses a part's text that says nothing (checked before anything is written). */
  public static void checkText(String option, String text) {
    if (text != null && text.strip().length() < 10) throw new LmsException(ExitCode.INVALID_INPUT, option + ": at least 10 characters saying what it was");
  }

  /** Refuses a count of users that is none (checked before anything is written). */
  public static void checkUsersAffected(Integer count) {
    if (count != null && count < 0) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--users-affected: " + count + " is not a count of users; allowed: 0 or more");
    }
  }

  /** Journals a part (root-cause, lessons-learned, users-affected) written by {@code by} as {@code role}. */
  public static void writePart(Journal journal, String part, String text, String by, String role) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("part", part);
    m.put("text", text.strip());
    m.put("by", by);
    m.put("role", role);
    journal.append(Event.REPORT_PART, m);
  }

  /**
   * Refuses a sign-off that cannot count (checked before anything is written): approval needs a review by someone
   * else; {@code samePerson} tells two ids of one person apart from two people (the gate's identity rules).
   */
  public static void checkSignOff(ReportCompletion now, String as, String by, java.util.function.BiPredicate<String, String> samePerson) {
    if (!SIGN_AS.contains(as)) throw new LmsException(ExitCode.INVALID_INPUT, "--sign: '" + as + "' is not allowed; allowed: " + String.join(", ", SIGN_AS));
    SignOff reviewed = now.signed("reviewed");
    if (as.equals("approved") && reviewed != null && samePerson.test(reviewed.by(), by)) {
      throw new LmsException(ExitCode.NOT_AUTHORIZED, "--sign approved: " + by + " reviewed this report and may not also approve it");
    }
    if (as.equals("approved") && reviewed == null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--sign approved: the report has not been reviewed yet; --sign reviewed first, by someone else");
    }
  }

  public static void signOff(Journal journal, String as, String by, String role) {
    journal.append(Event.REPORT_SIGNOFF, Map.of("as", as, "by", by, "role", role));
  }
}
