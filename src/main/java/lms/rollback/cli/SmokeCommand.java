package lms.rollback.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.verify.CheckResult;
import lms.rollback.verify.Checks;
import lms.rollback.verify.SmokeSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "smoke", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Run the post-rollback smoke tests (runbook §4.2 step 5).",
        "",
        "The plan's smokeChecks — user authentication, leave balance retrieval, leave submission, approval workflow, dashboard, and the critical endpoints — as HTTP requests, each judged on its status and on its JSON answer (expectPresent, expectFields). Add your own in a plan of your own. Credentials come from environment variables named in the plan ($${env:LMS_SMOKE_TOKEN}, …) and are never printed; a missing one makes its check inconclusive, which fails.",
        "",
        "Nothing is booked: leave submission asks LMS to validate the request (validateOnly=true), and every check whose method could change production says why it does not (readOnly). Only a check the plan gives a booking — a test account and a cleanup request — books for real, as that account, and undoes the booking; one left behind fails the check."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  every check passed", "  4  a check failed or was inconclusive", "", "Example:",
        "  LMS_SMOKE_TOKEN=… lmsctl smoke --env staging --junit smoke.xml", ""})
final class SmokeCommand extends Verb {

  @Option(names = "--base-url", paramLabel = "URL", description = "Where LMS answers. Default: the environment's baseUrl in the plan.")
  URI baseUrl;

  @Option(names = "--junit", paramLabel = "FILE", description = "JUnit XML of the checks. Default: --out-dir/smoke-junit.xml.")
  Path junit;

  @Override
  Outcome execute(Journal journal) {
    var env = plan.environment();
    List<CheckResult> results = new SmokeSuite(journal, System.getenv(), plan.plan().verification().requestTimeout().limit())
        .run(baseUrl != null ? baseUrl : URI.create(env.baseUrl()), plan.plan().smokeChecks());
    Path xml = Checks.writeJUnit(junit != null ? junit : output.outDir().resolve("smoke-junit.xml"), SmokeSuite.SUITE, results);
    return VerifyBlueCommand.outcome("Smoke", results, xml);
  }
}
