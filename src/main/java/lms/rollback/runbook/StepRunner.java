package lms.rollback.runbook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Budget;
import lms.rollback.plan.Scenario;

/**
 * Runs the steps of a scenario one by one, each timed against its budget from the plan, and
 * journals the start and the end of each. A step that throws ends the run: what ran before is
 * kept, so the caller can still report where it stopped.
 */
public final class StepRunner {

  /** How one step went. */
  public record Outcome(String action, String title, Duration took, Budget budget, boolean ok, String detail, boolean resumed) {
    public Outcome(String action, String title, Duration took, Budget budget, boolean ok, String detail) {
      this(action, title, took, budget, ok, detail, false);
    }

    public boolean overBudget() {
      return took.compareTo(budget.limit()) > 0;
    }

    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("action", action);
      m.put("title", title);
      m.put("millis", took.toMillis());
      m.put("budget", budget.text());
      m.put("overBudget", overBudget());
      m.put("ok", ok);
      m.put("detail", detail);
      if (resumed) m.put("resumed", true);
      return m;
    }
  }

  /** Prints each finished step, e.g. to stdout for a person watching. */
  @FunctionalInterface
  public interface Listener {
    void finished(Outcome outcome);
  }

  /** Told once when a step is still running at its budget plus the grace, with the engine's reason. */
  @FunctionalInterface
  public interface OverrunListener {
    void overran(String action, Map<String, Object> overrun);
  }

  private final Journal journal;
  private final Listener listener;
  private final List<Outcome> outcomes = new ArrayList<>();
  private Duration grace;
  private OverrunListener overruns = (action, overrun) -> { };

  public StepRunner(Journal journal, Listener listener) {
    this.journal = journal;
    this.listener = listener;
  }

  /**
   * Reports a step still running at its budget plus {@code grace}: journaled as {@code step.overrun} and told to
   * {@code listener}, once, while the step goes on — what it does mid-way is not cut off (a switch half done is worse).
   */
  public StepRunner overrunAfter(Duration grace, OverrunListener listener) {
    this.grace = grace;
    this.overruns = listener;
    return this;
  }

  /** Runs {@code body}, whose result is a one-line detail of what it did. */
  public Outcome run(Scenario.Step step, Supplier<String> body) {
    journal.append(Event.STEP_START, Map.of("action", step.action().key(), "title", step.title(), "budget", step.budget().text()));
    long start = System.nanoTime();
    java.util.concurrent.ScheduledExecutorService watchdog = grace == null ? null : overrunWatchdog(step);
    try {
      String detail = body.get();
      return finish(step, Duration.ofNanos(System.nanoTime() - start), true, detail);
    } catch (LmsException e) {
      finish(step, Duration.ofNanos(System.nanoTime() - start), false, e.getMessage());
      throw e;
    } finally {
      if (watchdog != null) watchdog.shutdownNow();
    }
  }

  private java.util.concurrent.ScheduledExecutorService overrunWatchdog(Scenario.Step step) {
    Duration bound = step.budget().limit().plus(grace);
    var watchdog = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "overrun of " + step.action().key());
      t.setDaemon(true);
      return t;
    });
    watchdog.schedule(() -> {
      Map<String, Object> overrun = new LinkedHashMap<>();
      overrun.put("action", step.action().key());
      overrun.put("title", step.title());
      overrun.put("budget", step.budget().text());
      overrun.put("grace", Budget.format(grace));
      overrun.put("boundSeconds", (bound.toMillis() + 999) / 1000);
      overrun.put("reason", String.format("%s has run %s, over its budget of %s and the plan's grace of %s; the engine lets it finish"
          + " (stopping a step mid-way could leave traffic half switched) and reports how it ends", step.title(), Budget.format(bound),
          step.budget().text(), Budget.format(grace)));
      journal.append(Event.STEP_OVERRUN, overrun);
      overruns.overran(step.action().key(), overrun);
    }, bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return watchdog;
  }

  private Outcome finish(Scenario.Step step, Duration took, boolean ok, String detail) {
    Outcome o = new Outcome(step.action().key(), step.title(), took, step.budget(), ok, detail);
    outcomes.add(o);
    journal.append(Event.STEP_END, o.asData());
    listener.finished(o);
    return o;
  }

  /** A step an earlier, killed run of the scenario finished: counted with its time then, not run again. */
  public void skipped(Outcome earlier) {
    Outcome o = new Outcome(earlier.action(), earlier.title(), earlier.took(), earlier.budget(), true, earlier.detail(), true);
    outcomes.add(o);
    journal.append(Event.STEP_SKIPPED, o.asData());
  }

  public List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }

  public Duration total() {
    return outcomes.stream().map(Outcome::took).reduce(Duration.ZERO, Duration::plus);
  }

  /** "  ✔ Execute traffic switch            0.41s / 2m" */
  public static String line(Outcome o) {
    String mark = o.resumed() ? "done" : !o.ok() ? "FAIL" : o.overBudget() ? "SLOW" : itemsOpen(o) ? "open" : " ok ";
    return lms.rollback.core.SecretMasker.mask(String.format("  [%s] %-32s %8s / %-6s %s", mark, o.title(), seconds(o.took()), o.budget().text(),
        (o.resumed() ? "(by the earlier run) " : "") + (o.detail() == null ? "" : o.detail())));
  }

  private static final java.util.regex.Pattern CHECKLIST = java.util.regex.Pattern.compile("§4\\.1 checklist (\\d+) of (\\d+) done.*", java.util.regex.Pattern.DOTALL);

  /** The announce step did its part, but items of its §4.1 checklist are still open (for their owners): not shown as " ok ". */
  static boolean itemsOpen(Outcome o) {
    if (o.detail() == null || !o.action().equals(lms.rollback.plan.StepAction.ANNOUNCE.key())) return false;
    var m = CHECKLIST.matcher(o.detail());
    return m.matches() && !m.group(1).equals(m.group(2));
  }

  public static String seconds(Duration d) {
    return String.format("%.2fs", d.toNanos() / 1e9);
  }
}
