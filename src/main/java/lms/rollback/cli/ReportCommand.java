package lms.rollback.cli;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.report.ReportBuilder;
import lms.rollback.report.ReportWriter;
import lms.rollback.report.RollbackReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "report", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Render the rollback report of §8.2 from the audit journal alone.",
        "",
        "Covers the last scenario run in the journal (or all of it when it holds single verbs): decision time, authority, trigger, steps with their times against their budgets, commands with timestamps, verification results, communications, total time split into machine and human time, the §7.1 and §7.2 follow-ups with due times from the end of the rollback, and the journal's integrity. A failed or interrupted run still gets a report that says where it stopped and why.",
        "",
        "Formats: md, html (self-contained, with a timeline chart), json, junit (steps and checks, for Jenkins' test report). Reading the journal does not write to it."},
    footer = {"", "Example:", "  lmsctl report --out-dir lms-rollback-out --incident INC-2041 --deployment DEP-877 \\",
        "      --format md,html", ""})
final class ReportCommand implements Callable<Integer> {

  @CommandLine.Mixin PlanOptions plan;
  @CommandLine.Mixin OutputOptions output;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--journal", paramLabel = "FILE", description = "Journal to report on. Default: --out-dir/journal.jsonl.")
  Path journal;

  @Option(names = "--format", split = ",", paramLabel = "FORMAT",
      description = "Formats to write: ${COMPLETION-CANDIDATES}. Default: all four.")
  Set<ReportWriter.Format> formats = EnumSet.allOf(ReportWriter.Format.class);

  @Option(names = "--to", paramLabel = "DIR", description = "Where to write the files. Default: --out-dir.")
  Path to;

  @Option(names = "--incident", paramLabel = "ID", defaultValue = "${env:LMS_INCIDENT_ID}", description = "Incident id, recorded in the journal for every later report of the run. Default: $LMS_INCIDENT_ID, else the one the run recorded (or noted on 'Create incident ticket').")
  String incident;

  @Option(names = "--deployment", paramLabel = "ID", defaultValue = "${env:LMS_DEPLOYMENT_ID}", description = "Deployment id (the release rolled back), recorded like --incident. Default: $LMS_DEPLOYMENT_ID, else the one the run recorded.")
  String deployment;

  @Option(names = "--root-cause", paramLabel = "TEXT", description = "The technical root cause, as its analyst (--by) words it: journaled, in the report's Root Cause. Default: none.")
  String rootCause;

  @Option(names = "--lessons", paramLabel = "TEXT", description = "The lessons learned (§8.2): journaled, in the report's Lessons Learned. Default: none.")
  String lessons;

  @Option(names = "--users-affected", paramLabel = "N", description = "How many users the issue affected, as the incident owner (--by) counts or estimates them: journaled, in the report's Impact (lmsctl measures no users; it counts the requests Green served, shown beside). Default: none.")
  Integer usersAffected;

  @Option(names = "--sign", paramLabel = "AS", description = "Sign the report off as ${COMPLETION-CANDIDATES}-by (--by): journaled with the role --groups give in the plan. Sign-off is four eyes: preparer, reviewer and approver are three different people (refused otherwise, exit 5); approved needs a review first. The report reads DRAFT until approved, and a --root-cause/--lessons/--users-affected after its approval returns it to DRAFT (said here and in the report), to be reviewed and approved again. Default: none.",
      completionCandidates = SignAs.class)
  String sign;

  @Option(names = "--by", paramLabel = "USER", description = "Who writes --root-cause/--lessons/--users-affected or signs (a Jenkins user id). Default: --actor.")
  String by;

  @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "The Jenkins groups of --by: they give the plan role recorded with the entry.")
  List<String> groups = new java.util.ArrayList<>();

  static final class SignAs implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return lms.rollback.report.ReportCompletion.SIGN_AS.iterator();
    }
  }

  @Option(names = "--scorecard", description = "Also write the §9.2 rehearsal scorecard as JUnit XML (rehearsal-scorecard-junit.xml).")
  boolean scorecard;

  @Override
  public Integer call() {
    Path file = journal != null ? journal : output.outDir().resolve(Journal.FILE_NAME);
    incident = lms.rollback.report.ReportIdentity.checked("--incident", incident);
    deployment = lms.rollback.report.ReportIdentity.checked("--deployment", deployment);
    String draftAgain = rootCause != null || lessons != null || usersAffected != null || sign != null ? complete(file) : null;
    // recorded in the run's own journal only; an archived copy read under another name is not written to
    if (file.getFileName().toString().equals(Journal.FILE_NAME) && java.nio.file.Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      lms.rollback.report.ReportIdentity.record(new Journal(file.toAbsolutePath().getParent(), output.actor()), incident, deployment);
    }
    RollbackReport report = new ReportBuilder(plan.plan()).build(file, incident, deployment);
    Path dir = to != null ? to : file.toAbsolutePath().getParent();
    List<Path> written = new java.util.ArrayList<>(ReportWriter.write(report, dir, formats));
    if (scorecard) {
      Path card = dir.resolve("rehearsal-scorecard-junit.xml");
      try {
        java.nio.file.Files.writeString(card, lms.rollback.report.RehearsalScorecard.junit(
            lms.rollback.report.RehearsalScorecard.score(report, plan.plan())));
      } catch (java.io.IOException e) {
        throw new lms.rollback.core.LmsException(ExitCode.OTHER, "cannot write " + card + ": " + e.getMessage(), e);
      }
      written.add(card);
    }
    var out = spec.commandLine().getOut();
    if (output.json()) {
      java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
      data.put("outcome", report.outcome().name());
      data.put("files", written.stream().map(Path::toString).toList());
      if (draftAgain != null) data.put("returnedToDraft", draftAgain);
      out.println(Journal.json(data));
    } else {
      if (draftAgain != null) out.println(draftAgain.substring(0, 1).toUpperCase() + draftAgain.substring(1));
      out.println("Report (" + report.outcome().name().toLowerCase() + ", " + lms.rollback.plan.Budget.format(report.total()) + "):");
      written.forEach(p -> out.println("  " + p));
    }
    out.flush();
    return ExitCode.OK;
  }

  /**
   * The parts people add after the run, journaled in the run's own journal by who wrote them, as their plan role. Returns
   * what a change did to an approved report (it is a DRAFT again), or null.
   */
  private String complete(Path file) {
    if (!file.getFileName().toString().equals(Journal.FILE_NAME) || !java.nio.file.Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new lms.rollback.core.LmsException(lms.rollback.core.ExitCode.INVALID_INPUT, "--root-cause/--lessons/--users-affected/--sign: written to a run's own "
          + Journal.FILE_NAME + " (--out-dir), not to " + file);
    }
    String who = by != null ? by : output.actor();
    // everything checked before the first entry: a refusal writes nothing
    String role = lms.rollback.gate.Authority.roleOf(plan.plan(), "--by", who, groups);
    lms.rollback.report.ReportCompletion.checkText("--root-cause", rootCause);
    lms.rollback.report.ReportCompletion.checkText("--lessons", lessons);
    lms.rollback.report.ReportCompletion.checkUsersAffected(usersAffected);
    var now = new ReportBuilder(plan.plan()).build(file, null, null).completion();
    if (sign != null) lms.rollback.report.ReportCompletion.checkSignOff(now, sign, who, lms.rollback.gate.Identity::same);
    boolean changes = rootCause != null || lessons != null || usersAffected != null;
    if (changes && "approved".equals(sign) && now.approved()) {
      throw new lms.rollback.core.LmsException(lms.rollback.core.ExitCode.INVALID_INPUT, "--sign approved: this call changes the approved report, "
          + "which returns it to DRAFT; write the change, have it reviewed (--sign reviewed), then approve it. Nothing was recorded");
    }
    Journal run = new Journal(file.toAbsolutePath().getParent(), output.actor());
    if (rootCause != null) lms.rollback.report.ReportCompletion.writePart(run, "root-cause", rootCause, who, role);
    if (lessons != null) lms.rollback.report.ReportCompletion.writePart(run, "lessons-learned", lessons, who, role);
    if (usersAffected != null) lms.rollback.report.ReportCompletion.writePart(run, "users-affected", usersAffected + " users", who, role);
    if (sign != null) lms.rollback.report.ReportCompletion.signOff(run, sign, who, role);
    return changes ? now.returnsToDraft() : null;
  }
}
