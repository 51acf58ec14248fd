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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "readiness", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Before deploying a release to production (§9.1): is each rollback test it needs fresh enough?",
        "",
        "Reads the journals of rehearsal runs under --records (the lms-rollback/build-N folders Jenkins archives, or copies): a completed 'lmsctl rollback --rehearsal' of a scenario the test accepts, not on production, from a journal whose hash chain is intact. The traffic switch must have passed for this release; the full rollback within 31 days; the database rollback for this release when it has migrations; the backup restore within 92 days (the plan's 'rehearsals'). Reads only."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  ready: every test the release needs is fresh", "  4  not ready: stdout names each missing or stale test",
        "  2  invalid input", "", "Example (a deployment pipeline, before production):",
        "  lmsctl readiness --release 3.0.0 --migrations --records /var/lib/jenkins/rehearsals", ""})
final class ReadinessCommand implements Callable<Integer> {

  @CommandLine.Mixin PlanOptions plan;
  @CommandLine.Mixin OutputOptions output;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--release", required = true, paramLabel = "VERSION", description = "The release about to be deployed (Green's version when it was rehearsed), e.g. 3.0.0.")
  String release;

  @Option(names = "--migrations", description = "The release has database migrations: the database rollback test is needed too.")
  boolean migrations;

  @Option(names = "--records", required = true, paramLabel = "DIR", description = "Where rehearsal runs' folders are kept; repeatable.")
  List<Path> records = new ArrayList<>();

  @Override
  public Integer call() {
    if (release.isBlank()) throw new LmsException(ExitCode.INVALID_INPUT, "--release: give the version about to be deployed, e.g. 3.0.0");
    Readiness readiness = new Readiness(plan.plan());
    List<Readiness.Verdict> verdicts = readiness.check(release.strip(), migrations, readiness.records(records), Instant.now());
    List<Readiness.Verdict> missing = verdicts.stream().filter(v -> v.required() && !v.satisfied()).toList();
    var out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Journal.json(Map.of("release", release.strip(), "ready", missing.isEmpty(), "tests", verdicts.stream().map(Readiness.Verdict::asData).toList(),
          "ignored", readiness.ignored())));
    } else {
      out.println("Release " + release.strip() + (migrations ? " (with migrations)" : "") + ": " + (missing.isEmpty() ? "READY" : "NOT READY")
          + " for production (§9.1)");
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
