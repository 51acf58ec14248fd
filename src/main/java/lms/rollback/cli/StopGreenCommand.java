package lms.rollback.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.GreenShutdown;
import lms.rollback.core.ExitCode;
import lms.rollback.plan.Budget;
import lms.rollback.plan.Environment;
import lms.rollback.plan.StepAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stop-green", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Scale Green down after the switch (runbook §4.2 step 3, §7.1 #3).",
        "",
        "Refuses while any http, tls or tcp route of the VirtualService, or of any VirtualService in the environment's routeNamespaces, still sends Green any traffic; Green scaled back up while its pods terminate stops it, naming the writer. Preserves the log of every container of every Green pod under --out-dir/green-logs first, then scales Green's Deployment to 0 and watches until no Green pod is left, printing progress, within the step's budget. Already at 0 with no pods: a recorded no-op."},
    footerHeading = "%nExit codes:%n",
    footer = {
        "  0  Green is down (or already was)",
        "  3  Green still receives traffic, a log could not be preserved,",
        "     pods outlived the budget, or the API server is unreachable",
        "",
        "Example:",
        "  lmsctl stop-green --env production --out-dir /var/lib/lms-rollback/INC-1234", ""})
final class StopGreenCommand extends ClusterVerb {

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long to wait for Green's pods to go. Default: the plan's budget for the 'stop-green' step (2m in §5).")
  Duration timeout;

  @Override
  boolean mutates() {
    return true;
  }

  @Override
  Outcome run(ClusterSession cluster, Environment env) {
    Budget budget = plan.plan().stepBudget(StepAction.STOP_GREEN);
    Duration wait = timeout != null ? timeout : budget.limit();
    GreenShutdown.Result r = new GreenShutdown(cluster).execute(new GreenShutdown.Request(plan.environmentName(), env, output.outDir(), wait));
    List<String> text = new ArrayList<>();
    if (!r.changed()) {
      text.add(r.deployment() + " is already scaled to 0 with no pods; nothing to do");
    } else {
      text.add(String.format("Stopped %s: %d -> 0 replicas, no Green pod left after %.1fs", r.deployment(), r.replicasBefore(),
          r.waited().toMillis() / 1000.0));
      text.add(String.format("  preserved %d log file(s), %d bytes, under %s", r.preservedLogs().size(), r.logBytes(),
          output.outDir().resolve(GreenShutdown.LOG_DIRECTORY)));
    }
    return new Outcome(ExitCode.OK, r.asData(), text);
  }
}
