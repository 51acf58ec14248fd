package lms.rollback.gate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.AuthorityChain;
import lms.rollback.plan.Plan;
import lms.rollback.plan.Role;
import lms.rollback.plan.Trigger;
import lms.rollback.plan.TriggerType;

/** Reads the authority matrix of the plan: who decides which trigger, and who holds a role. */
public final class Authority {

  private final Plan plan;

  public Authority(Plan plan) {
    this.plan = plan;
  }

  /**
   * The gate for a trigger as the plan has it, before anything was measured; {@code scenario} (may be null) decides
   * whether the two-person rule applies.
   */
  public GatePlan gateFor(String triggerId, String scenario) {
    Trigger t = plan.trigger(triggerId);
    return gate(t, t.type(), t.needsApproval(), scenario, null);
  }

  /**
   * The gate of a run: an automatic trigger needs nobody only when {@code evidence} (what the engine measured in this run)
   * shows it holds; otherwise it is decided as a manual request, by the technical row of the authority matrix (§3.1).
   */
  public GatePlan gateFor(String triggerId, String scenario, TriggerEvidence evidence) {
    Trigger t = plan.trigger(triggerId);
    if (t.needsApproval() || evidence != null && evidence.holds()) return gateFor(triggerId, scenario);
    String why = evidence != null ? evidence.describe()
        : triggerId + " was named but the engine has not measured it in this run: approved as a manual request (§2.2)";
    return gate(t, TriggerType.TECHNICAL, true, scenario, why);
  }

  private GatePlan gate(Trigger t, TriggerType row, boolean approvalNeeded, String scenario, String asManual) {
    AuthorityChain chain = plan.authorityMatrix().get(row);
    List<String> roles = t.deciders(chain, row);
    Duration window = t.decisionTime().resolve(plan.gate());
    List<GatePlan.Level> levels = new ArrayList<>();
    for (int i = 0; i < roles.size(); i++) {
      Role role = plan.roles().get(roles.get(i));
      levels.add(new GatePlan.Level(i, roles.get(i), role.title(), role.jenkins(), window));
    }
    return new GatePlan(t.id(), t.type().key(), t.condition(), approvalNeeded, levels,
        scenario != null && plan.scenario(scenario).changesDatabase() ? twoPersonRule() : null, asManual);
  }

  public GatePlan.TwoPersonRule twoPersonRule() {
    List<String> roles = plan.gate().databaseRollbackApprovers();
    Map<String, List<String>> holders = new LinkedHashMap<>();
    roles.forEach(r -> holders.put(r, plan.roles().get(r).jenkins()));
    return new GatePlan.TwoPersonRule(roles, roles.stream().map(r -> plan.roles().get(r).title()).toList(), holders);
  }

  /** Whether a person, known by their Jenkins id and groups, holds one of {@code holders}. */
  public static boolean holds(String user, Collection<String> groups, Collection<String> holders) {
    java.util.Set<String> allowed = new java.util.HashSet<>();
    holders.forEach(h -> allowed.add(Identity.normalize(h)));
    return allowed.contains(Identity.normalize(user)) || groups.stream().map(Identity::normalize).anyMatch(allowed::contains);
  }

  /** The plan role {@code by} holds through {@code groups}, or a refusal naming the roles that would do. */
  public static String roleOf(Plan plan, String option, String by, Collection<String> groups) {
    if (by == null || by.isBlank()) throw new LmsException(ExitCode.INVALID_INPUT, option + ": who, as a Jenkins user id (e.g. rc.jones)");
    String lookalike = Identity.lookalike(by);
    if (lookalike != null) throw new LmsException(ExitCode.INVALID_INPUT, option + ": '" + by + "' " + lookalike);
    for (Map.Entry<String, Role> r : plan.roles().entrySet()) {
      if (!r.getValue().jenkins().isEmpty() && Authority.holds(by, groups, r.getValue().jenkins())) return r.getValue().title();
    }
    List<String> allowed = new ArrayList<>();
    plan.roles().values().stream().filter(r -> !r.jenkins().isEmpty()).forEach(r -> allowed.add(r.title() + " (" + String.join(",", r.jenkins()) + ")"));
    throw new LmsException(ExitCode.NOT_AUTHORIZED, option + ": " + by + " holds no role of the plan with --groups " + String.join(",", groups)
        + "; allowed: " + String.join("; ", allowed));
  }

  public String title(String role) {
    return plan.roles().get(role).title();
  }

  public int minReasonLength() {
    return plan.gate().minReasonLength();
  }
}
