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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

  @Option(names = "--scorecard", description = "Also write the §9.2 rehearsal scorecard as JUnit XML (rehearsal-scorecard-junit.xml).")
  boolean scorecard;

  @Override
  public Integer call() {
    Path file = journal != null ? journal : output.outDir().resolve(Journal.FILE_NAME);
    incident = lms.rollback.report.ReportIdentity.checked("--incident", incident);
    deployment = lms.rollback.report.ReportIdentity.checked("--deployment", deployment);
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
      out.println(Journal.json(java.util.Map.of("outcome", report.outcome().name(), "files", written.stream().map(Path::toString).toList())));
    } else {
      out.println("Report (" + report.outcome().name().toLowerCase() + ", " + lms.rollback.plan.Budget.format(report.total()) + "):");
      written.forEach(p -> out.println("  " + p));
    }
    out.flush();
    return ExitCode.OK;
  }
}
