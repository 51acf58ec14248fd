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
 * and approved it — each a journal entry by a named person with the plan role their groups give them. Sign-off is four
 * eyes: preparer, reviewer and approver are three different people. A report is a DRAFT until approved; a change after
 * its approval returns it to DRAFT ({@code reopened}), to be reviewed and approved again.
 */
public record ReportCompletion(Part rootCause, Part lessons, Part usersAffected, List<SignOff> signOffs, Reopened reopened) {
  public static final List<String> SIGN_AS = List.of("prepared", "reviewed", "approved");

  /** A section's text, who wrote it (and as what), when. */
  public record Part(String text, String by, String role, Instant at) {}

  public record SignOff(String as, String by, String role, Instant at) {}

  /** The last change made after an approval: which part, by whom, when, and the approval (and review) it voided. */
  public record Reopened(String part, String by, Instant at, SignOff approval) {}

  public static final ReportCompletion NONE = new ReportCompletion(null, null, null, List.of(), null);

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
    Reopened reopened = null;
    for (Journal.Entry e : entries) {
      var d = e.data();
      if (e.is(Event.REPORT_PART)) {
        SignOff approval = signOffs.stream().filter(o -> o.as().equals("approved")).reduce((a, b) -> b).orElse(null);
        if (approval != null) {
          // what was approved is not what the report now says: its review and approval no longer hold
          reopened = new Reopened(d.path("part").asText(), d.path("by").asText(), e.ts(), approval);
          signOffs.removeIf(o -> !o.as().equals("prepared"));
        }
        Part p = new Part(d.path("text").asText(), d.path("by").asText(), d.path("role").asText(), e.ts());
        if (d.path("part").asText().equals("root-cause")) rootCause = p;
        if (d.path("part").asText().equals("lessons-learned")) lessons = p;
        if (d.path("part").asText().equals("users-affected")) usersAffected = p;
      }
      if (e.is(Event.REPORT_SIGNOFF)) signOffs.add(new SignOff(d.path("as").asText(), d.path("by").asText(), d.path("role").asText(), e.ts()));
    }
    return new ReportCompletion(rootCause, lessons, usersAffected, List.copyOf(signOffs), reopened);
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
   * Refuses a sign-off that cannot count (checked before anything is written): sign-off is four eyes — preparer, reviewer
   * and approver are three different people — and approval needs a review first; {@code samePerson} tells two ids of one
   * person apart from two people (the gate's identity rules).
   */
  public static void checkSignOff(ReportCompletion now, String as, String by, java.util.function.BiPredicate<String, String> samePerson) {
    if (!SIGN_AS.contains(as)) throw new LmsException(ExitCode.INVALID_INPUT, "--sign: '" + as + "' is not allowed; allowed: " + String.join(", ", SIGN_AS));
    for (String other : SIGN_AS) {
      SignOff o = other.equals(as) ? null : now.signed(other);
      if (o != null && samePerson.test(o.by(), by)) {
        throw new LmsException(ExitCode.NOT_AUTHORIZED, "--sign " + as + ": " + by + " " + other + " this report and may not also "
            + Map.of("prepared", "prepare", "reviewed", "review", "approved", "approve").get(as) + " it (sign-off is four eyes: preparer, reviewer and approver are three different people)");
      }
    }
    if (as.equals("approved") && now.signed("reviewed") == null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--sign approved: the report has not been reviewed yet" + (now.reopened() != null
          ? " since it was changed after its approval" : "") + "; --sign reviewed first, by someone else");
    }
  }

  /** What a change now does to an approved report, for the person making it; null when it is not approved. */
  public String returnsToDraft() {
    SignOff approved = signed("approved");
    return approved == null ? null : "the report was APPROVED by " + approved.by() + "; this change returns it to DRAFT: it needs "
        + "--sign reviewed and --sign approved again";
  }

  public static void signOff(Journal journal, String as, String by, String role) {
    journal.append(Event.REPORT_SIGNOFF, Map.of("as", as, "by", by, "role", role));
  }
}
