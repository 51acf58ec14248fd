package lms.rollback.gate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import lms.rollback.plan.Concern;
import lms.rollback.plan.Plan;
import lms.rollback.plan.Role;
import lms.rollback.plan.RunbookTables;
import lms.rollback.plan.Trigger;

/** §3.3: who is paged for a trigger, in the chain's order, and how to reach each. */
public final class ContactChain {

  /** One role to page: its place in the chain, why it is paged, and its addresses (a phone may be empty). */
  public record Paged(int order, String role, String title, String when, String why, List<String> email, String phone) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("order", order);
      m.put("role", role);
      m.put("title", title);
      m.put("when", when);
      m.put("why", why);
      m.put("email", email);
      m.put("phone", phone);
      return m;
    }
  }

  private final Plan plan;

  public ContactChain(Plan plan) {
    this.plan = plan;
  }

  /** Who is paged for {@code triggerId} ({@link Plan#pagedFor}); a {@code scenario} (may be null) with a database step concerns the database too. */
  public List<Paged> paged(String triggerId, String scenario) {
    Trigger t = plan.trigger(triggerId);
    Set<Concern> concerns = plan.concernsOf(triggerId, scenario);
    List<Paged> out = new ArrayList<>();
    for (RunbookTables.Contact c : plan.pagedFor(triggerId, scenario)) {
      Role role = plan.roles().get(c.role());
      out.add(new Paged(c.order(), c.role(), role.title(), c.when(), c.page().why(t.type(), concerns), role.email(), role.phone()));
    }
    return out;
  }
}
