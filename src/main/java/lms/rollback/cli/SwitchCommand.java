package lms.rollback.cli;

import java.util.ArrayList;
import java.util.List;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.TrafficSwitch;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Environment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "switch", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Route all traffic to Blue (runbook §4.2 step 1).",
        "",
        "Checks that Blue has enough ready replicas to take all the traffic — as many as Green serves with, and at least the plan's minBlueReadyReplicas (Blue's own replica count is no measure) — then changes only the weights of the environment's VirtualService routes to Blue and Green (every other field of every route is kept), reads it back and verifies it. Already on Blue: a recorded no-op. Green's Deployment is never touched. Holds the environment's lease while it works, so two rollbacks never run at once."},
    footerHeading = "%nExit codes:%n",
    footer = {
        "  0  switched, or already on Blue",
        "  2  invalid input (plan, --env, --force without --reason)",
        "  3  cluster not in a state to switch: Blue not ready, VirtualService missing,",
        "     API server unreachable, environment locked by another rollback",
        "  4  the VirtualService did not read back as switched",
        "",
        "Example:",
        "  lmsctl switch --env production",
        "  lmsctl switch --env staging --force --reason \"Blue at 2/3, Green is corrupting leave balances\"", ""})
final class SwitchCommand extends ClusterVerb {

  @Option(names = "--force", description = "Switch even when Blue has fewer ready replicas than required. Needs --reason.")
  boolean force;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why --force is justified; journaled. At least the plan's gate.minReasonLength characters.")
  String reason;

  @Override
  boolean mutates() {
    return true;
  }

  @Override
  Outcome run(ClusterSession cluster, Environment env) {
    int min = plan.plan().gate().minReasonLength();
    if (force && (reason == null || reason.strip().length() < min)) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--reason: required with --force, at least " + min + " characters saying why");
    }
    if (!force && reason != null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--reason: only meaningful with --force");
    }
    TrafficSwitch.Result r = new TrafficSwitch(cluster).execute(new TrafficSwitch.Request(plan.environmentName(), env, force ? reason.strip() : null));
    List<String> text = new ArrayList<>();
    text.add(r.changed() ? "Switched " + r.virtualService() + " to Blue" + (r.forced() ? " (forced: " + reason.strip() + ")" : "")
        : r.virtualService() + " is already on Blue; nothing to do");
    r.before().forEach(l -> text.add("  before  " + l));
    r.after().forEach(l -> text.add("  after   " + l));
    if (r.blue() != null) text.add("  Blue    " + r.blue().describe());
    return new Outcome(ExitCode.OK, r.asData(), text);
  }
}
