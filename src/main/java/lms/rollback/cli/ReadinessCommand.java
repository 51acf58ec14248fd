package lms.rollback.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.runbook.Readiness;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "readiness", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Before deploying a release to production (§9.1): is each rollback test it needs fresh enough?",
        "",
        "Reads the journals of rehearsal runs under --records (the lms-rollback/build-N folders Jenkins archives, or copies): a completed 'lmsctl rollback --rehearsal' of a scenario the test accepts, not on production, whose §9.2 scorecard passed (journaled after the run), from a journal whose hash chain is intact. The traffic switch must have passed for this release; the full rollback within 31 days; the database rollback for this release when it has migrations; the backup restore within 92 days (the plan's 'rehearsals'). Reads only."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  ready: every test the release needs is fresh (with --due-in-days: none is due)",
        "  4  not ready: stdout names each missing or stale test (with --due-in-days: each test due)",
        "  2  invalid input", "", "Example (a deployment pipeline, before production):",
        "  lmsctl readiness --release 3.0.0 --migrations --records /var/lib/jenkins/rehearsals", "",
        "Example (a monthly timer: which rehearsals to run now):", "  lmsctl readiness --due-in-days 31 --records lms-rollback", ""})
final class ReadinessCommand implements Callable<Integer> {

  @CommandLine.Mixin PlanOptions plan;
  @CommandLine.Mixin OutputOptions output;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--release", paramLabel = "VERSION", description = "The release about to be deployed (Green's version when it was rehearsed), e.g. 3.0.0. Required unless --due-in-days.")
  String release;

  @Option(names = "--due-in-days", paramLabel = "DAYS",
      description = "For a timer: judge the tests that go stale with time (the monthly full rollback, the quarterly backup restore) as they will be DAYS from now — a monthly timer passes 31 — and leave the tests of a release to its deployment pipeline. A test 'missing' then is due: rehearse it now. Default: judge now.")
  Integer dueInDays;

  @Option(names = "--migrations", description = "The release has database migrations: the database rollback test is needed too.")
  boolean migrations;

  @Option(names = "--records", required = true, paramLabel = "DIR", description = "Where rehearsal runs' folders are kept; repeatable.")
  List<Path> records = new ArrayList<>();

  @Override
  public Integer call() {
    if (dueInDays == null && (release == null || release.isBlank())) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--release: give the version about to be deployed, e.g. 3.0.0 (or --due-in-days for a timer)");
    }
    if (dueInDays != null && (dueInDays < 0 || dueInDays > 366)) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--due-in-days: " + dueInDays + " is not a number of days from 0 to 366 (a monthly timer passes 31)");
    }
    String version = release == null || release.isBlank() ? null : release.strip();
    Readiness readiness = new Readiness(plan.plan());
    List<Readiness.Verdict> verdicts = readiness.check(version, migrations, readiness.records(records), Instant.now(),
        java.time.Duration.ofDays(dueInDays == null ? 0 : dueInDays));
    List<Readiness.Verdict> missing = verdicts.stream().filter(v -> v.required() && !v.satisfied()).toList();
    List<String> missingTests = missing.stream().map(v -> v.test().test()).toList();
    var out = spec.commandLine().getOut();
    if (output.json()) {
      Map<String, Object> data = new java.util.LinkedHashMap<>();
      if (version != null) data.put("release", version);
      if (dueInDays != null) {
        data.put("dueInDays", dueInDays);
        data.put("due", missingTests);
      }
      data.put("ready", missing.isEmpty());
      data.put("tests", verdicts.stream().map(Readiness.Verdict::asData).toList());
      data.put("ignored", readiness.ignored());
      out.println(Journal.json(data));
    } else {
      out.println(version == null ? "Rehearsals due within " + dueInDays + " days (§9.1): " + (missing.isEmpty() ? "none" : String.join(", ", missingTests))
          : "Release " + version + (migrations ? " (with migrations)" : "") + ": " + (missing.isEmpty() ? "READY" : "NOT READY") + " for production (§9.1)");
      for (Readiness.Verdict v : verdicts) {
        out.printf("  %-12s %-18s %-24s %s%n", !v.required() ? "-" : v.satisfied() ? "ok" : "MISSING", v.test().title(),
            v.test().frequency() + ", " + v.test().owner(), v.why());
      }
      readiness.ignored().forEach(i -> out.println("  ignored " + i));
    }
    out.flush();
    return missing.isEmpty() ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
  }
}
