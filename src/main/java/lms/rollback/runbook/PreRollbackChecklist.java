package lms.rollback.runbook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.cluster.BlueCapacity;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.core.LmsException;
import lms.rollback.gate.GateRun;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.RunbookTables;

/**
 * §4.1, the pre-rollback checklist, as the run's "announce" step: each item done by the engine where it can be (the
 * war room told and the stakeholders alerted — the run's start messages —, Blue's status confirmed) and confirmed by
 * its owner where it cannot (the DBA pauses pending transactions: a scenario that changes the database waits for it),
 * each item journaled and reported.
 */
final class PreRollbackChecklist {
  private final Plan plan;
  private final ClusterSession cluster;
  private final Environment env;
  private final String outDir;
  private final boolean pauseRequired;
  private final boolean changesData;
  /** The message that tells the pause's owner (§3.3: the DBA On-Call) that the run waits for them. */
  static final String PAUSE_MESSAGE = "pause-transactions";
  private static final String PAUSE_STEP = String.valueOf(RunbookTables.Checklist.PAUSE_TRANSACTIONS);
  private final Runnable tellOwner;

  /**
   * A rehearsal runs on staging, where no real transaction is pending: it does not wait for a DBA. {@code tellOwner} sends
   * the plan's messages after "pause-transactions", once, when the run first waits for the pause.
   */
  PreRollbackChecklist(Plan plan, ClusterSession cluster, Environment env, String outDir, boolean changesData, boolean rehearsal, Runnable tellOwner) {
    this.plan = plan;
    this.cluster = cluster;
    this.env = env;
    this.outDir = outDir;
    this.changesData = changesData;
    this.pauseRequired = changesData && !rehearsal;
    this.tellOwner = tellOwner;
  }


  /** The groups of the role that confirms the pause: only its people's confirmation counts. */
  private List<String> confirmers() {
    String role = plan.preRollbackChecklist().pauseItem().role() != null ? plan.preRollbackChecklist().pauseItem().role() : "dba";
    return plan.roles().containsKey(role) ? plan.roles().get(role).jenkins() : List.of();
  }

  /** The DBA's confirmation, when the scenario changes the database and it is not recorded yet; else null. The DBA is told once. */
  PersonNeeded missing() {
    if (!pauseRequired || confirmation() != null) return null;
    if (!told()) tellOwner.run();
    RunbookTables.Checklist.Item item = plan.preRollbackChecklist().pauseItem();
    // in this order in the command printed for the DBA
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    fields.put("step", PAUSE_STEP);
    fields.put("groups", String.join(",", confirmers()));
    PersonNeeded p = PersonNeeded.asking(Event.CHECKLIST_DONE, fields, "note",
        "How were pending transactions paused (or why none were pending)?", confirmers());
    if (item.budget() != null) p = p.within(item.budget().limit());
    return p.saying("PENDING TRANSACTIONS (§4.1 #4): this scenario changes the database; the DBA pauses pending transactions first", outDir);
  }


  /** Whether this run already told the pause's owner (its messages were sent, skipped or failed: tried once). */
  private boolean told() {
    return currentRun().stream().anyMatch(e -> Event.DELIVERIES.contains(e.event()) && PAUSE_MESSAGE.equals(e.data().path("message").asText()));
  }

  /** Goes through the items, journals each, and says how many are done. */
  String run() {
    List<Journal.Entry> run = currentRun();
    List<String> lines = new ArrayList<>();
    int done = 0;
    for (RunbookTables.Checklist.Item item : plan.preRollbackChecklist().items()) {
      String[] outcome = switch (item.step()) {
        case 1 -> message(run, "rollback-initiated");
        case 2 -> blue();
        case 3 -> message(run, "status-page-update");
        case 4 -> pause();
        default -> new String[] {"open", "not an item lmsctl can do or check"};
      };
      if (outcome[0].equals("done")) done++;
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("step", item.step());
      data.put("action", item.action());
      data.put("owner", item.owner());
      data.put("state", outcome[0]);
      data.put("detail", outcome[1]);
      cluster.journal().append(Event.CHECKLIST_ITEM, data);
      lines.add("#" + item.step() + " " + outcome[0] + (outcome[1].isBlank() ? "" : " (" + outcome[1] + ")"));
    }
    cluster.journal().append(Event.ANNOUNCE, Map.of("environment", env.namespace(), "message", "ROLLBACK INITIATED: switching traffic to Blue"));
    return "§4.1 checklist " + done + " of " + plan.preRollbackChecklist().items().size() + " done: " + String.join("; ", lines);
  }

  private String[] message(List<Journal.Entry> run, String message) {
    for (Journal.Entry e : run) {
      if (Event.DELIVERIES.contains(e.event()) && message.equals(e.data().path("message").asText())) {
        String status = e.data().path("status").asText();
        return new String[] {e.is(Event.NOTIFY_SENT) ? "done" : "open", message + " " + status
            + (e.data().path("detail").asText("").isBlank() ? "" : ": " + e.data().path("detail").asText())};
      }
    }
    return new String[] {"open", message + " was not sent"};
  }

  private String[] blue() {
    try {
      BlueCapacity blue = BlueCapacity.of(cluster, env);
      return new String[] {blue.sufficient() ? "done" : "open", blue.describe()};
    } catch (LmsException e) {
      return new String[] {"open", e.getMessage()};
    }
  }

  private String[] pause() {
    Journal.Entry c = confirmation();
    if (c != null) return new String[] {"done", "confirmed by " + c.actor() + ": " + c.data().path("note").asText("")};
    return new String[] {"open", pauseRequired ? "not confirmed" : changesData
        ? "not confirmed; a rehearsal, where no real transaction is pending, so the run did not wait for the DBA"
        : "not confirmed; this scenario changes no data, so the run did not wait for the DBA"};
  }

  /** The pause confirmed by one of its role's people (their groups, as recorded: proven by Jenkins' prompt, asserted on a terminal). */
  private Journal.Entry confirmation() {
    Journal.Entry found = null;
    List<String> allowed = confirmers();
    for (Journal.Entry e : currentRun()) {
      if (!e.is(Event.CHECKLIST_DONE) || !e.data().path("step").asText().equals(PAUSE_STEP) || e.data().path("note").asText("").isBlank()) continue;
      List<String> groups = List.of(e.data().path("groups").asText("").split("\\s*,\\s*"));
      if (groups.stream().anyMatch(allowed::contains)) found = e;
      else cluster.progress().say("  §4.1 #4 confirmed by " + e.actor() + " does not count: not of " + String.join(", ", allowed));
    }
    return found;
  }

  /** This run's entries, and what was recorded for it before it started (as its gate's decisions). */
  private List<Journal.Entry> currentRun() {
    return RunLog.read(cluster.journal()).current();
  }
}
