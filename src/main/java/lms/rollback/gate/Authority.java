package lms.rollback.gate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.plan.AuthorityChain;
import lms.rollback.plan.Plan;
import lms.rollback.plan.Role;
import lms.rollback.plan.Trigger;

/** Reads the authority matrix of the plan: who decides which trigger, and who holds a role. */
public final class Authority {

  private final Plan plan;

  public Authority(Plan plan) {
    this.plan = plan;
  }

  /** The gate for a trigger; {@code scenario} (may be null) decides whether the two-person rule applies. */
  public GatePlan gateFor(String triggerId, String scenario) {
    Trigger t = plan.trigger(triggerId);
    AuthorityChain chain = plan.authorityMatrix().get(t.type());
    List<String> roles = new ArrayList<>(chain.inOrder());
    if (t.authority() != null) roles.set(0, t.authority());
    Duration window = t.decisionTime().resolve(plan.gate());
    List<GatePlan.Level> levels = new ArrayList<>();
    for (int i = 0; i < roles.size(); i++) {
      Role role = plan.roles().get(roles.get(i));
      levels.add(new GatePlan.Level(i, roles.get(i), role.title(), role.jenkins(), window));
    }
    return new GatePlan(t.id(), t.type().key(), t.condition(), t.needsApproval(), levels,
        scenario != null && plan.scenario(scenario).changesDatabase() ? twoPersonRule() : null);
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

  public String title(String role) {
    return plan.roles().get(role).title();
  }

  public int minReasonLength() {
    return plan.gate().minReasonLength();
  }
}
