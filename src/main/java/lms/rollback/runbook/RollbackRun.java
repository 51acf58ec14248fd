package lms.rollback.runbook;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.EnvironmentLease;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.gate.ApprovalLink;
import lms.rollback.gate.Authority;
import lms.rollback.gate.GateNotifier;
import lms.rollback.gate.GatePlan;
import lms.rollback.gate.GateRun;
import lms.rollback.gate.PromptLog;
import lms.rollback.notify.CommunicationSchedule;
import lms.rollback.notify.MessageTemplates;
import lms.rollback.notify.Notifier;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.Scenario;
import lms.rollback.report.RehearsalScorecard;
import lms.rollback.report.ReportBuilder;
import lms.rollback.report.ReportWriter;
import lms.rollback.report.RollbackReport;

/**
 * A rollback, whoever starts it: assembles the one run (preflight, the gate, the scenario's steps,
 * the §6.1 messages, the report) for an environment and holds the environment's lease while it
 * advances. A call that pauses (after --through, or at an undecided gate) keeps the lease for the
 * run's next call; a run that ends gives it back. The CLI, Jenkins' stages and the sandbox all
 * come through here.
 */
public final class RollbackRun {

  public static final String SCORECARD_FILE = "rehearsal-scorecard-junit.xml";
  /** Beyond the gate's windows or the scenario's target: how long a paused run keeps its lease for its next call. */
  static final Duration HOLD_MARGIN = Duration.ofMinutes(5);

  /** What the run is asked to do. {@code through}: where to pause (null: to the end). */
  public record Request(String scenario, String environment, String trigger, String requestedBy, String reason, boolean rehearsal,
      String rehearsalOf, String through, String leaseHolder, Duration lockWait, String buildUrl) {
    Resumption.Call call() {
      return new Resumption.Call(scenario, environment, trigger, requestedBy);
    }
  }

  /** How the gate is waited for: not at all (the call ends at an open prompt), or here, with a sandbox's time scale. */
  public record Waiting(boolean here, double timeScale, Duration poll, lms.rollback.gate.DecisionInbox inbox) {
    public static final Waiting NO = new Waiting(false, 1.0, Duration.ofMillis(500), null);

    public Waiting(boolean here, double timeScale, Duration poll) {
      this(here, timeScale, poll, null);
    }
  }

  /** How the call left the run, its exit code, and the reports written when the run ended. */
  public record Outcome(RunStateMachine.Result result, int exitCode, List<Path> reports) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>(result.asData());
      m.put("exitCode", exitCode);
      m.put("reports", reports.stream().map(Path::toString).toList());
      return m;
    }
  }

  private final Plan plan;
  private Path earlierJournals;
  private final ClusterSession cluster;
  private final Path outDir;
  private final Map<String, String> variables;
  private final Progress progress;
  private RollbackSteps.Probes probes;
  private DatabaseSteps.Source databaseSource = DatabaseSteps.Source.defaults();
  private DatabaseSteps database;
  private Path dump;
  private String redeployImage;
  private Waiting waiting = Waiting.NO;
  private String capabilityOverride;
  private PrintWriter out;

  /** {@code variables}: where the channels' addresses and secrets are read (the process's environment, or the sandbox's). */
  public RollbackRun(Plan plan, ClusterSession cluster, Path outDir, Map<String, String> variables, Progress progress) {
    this.plan = plan;
    this.cluster = cluster;
    this.outDir = outDir;
    this.variables = variables;
    this.progress = progress;
  }

  public RollbackRun probes(RollbackSteps.Probes p) {
    this.probes = p;
    return this;
  }

  /** How the database is reached (executor, migrations, target, where the URL is read); the run builds its database steps from it. */
  public RollbackRun database(DatabaseSteps.Source source) {
    this.databaseSource = source;
    return this;
  }

  /**
   * Checks a request against the plan, the one place every driver's request is checked (rollback, restore, watch, the
   * sandbox, Jenkins through the CLI): the scenario, trigger and environment exist; a rehearsal of a §9.1 test is of its
   * scenario and environment; a rehearsal runs where the plan rehearses, never elsewhere; {@code through} is a point of
   * the scenario. Refused (exit 2) before anything is journaled or changed; returns the request as the run takes it.
   */
  public static Request check(Plan plan, Request r) {
    Scenario scenario = plan.scenario(r.scenario());
    plan.trigger(r.trigger());
    plan.environment(r.environment());
    boolean rehearsal = r.rehearsal();
    if (r.rehearsalOf() != null) {
      plan.rehearsal(r.rehearsalOf(), r.scenario(), r.environment());
      rehearsal = true;
    }
    if (rehearsal) checkRehearsalEnvironment(plan, r.environment());
    // §1.2 may add a data review to a scenario that switches traffic (the run checks it against its own steps)
    List<String> points = new ArrayList<>(RunStateMachine.pausePoints(scenario));
    if (scenario.steps().stream().anyMatch(s -> s.action() == lms.rollback.plan.StepAction.SWITCH_TRAFFIC)) {
      points.add(lms.rollback.plan.StepAction.DATA_REVIEW.key());
    }
    if (r.through() != null && !points.contains(r.through())) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--through: scenario " + r.scenario() + " has no step '" + r.through() + "'; allowed: "
          + String.join(", ", points));
    }
    return rehearsal == r.rehearsal() ? r : new Request(r.scenario(), r.environment(), r.trigger(), r.requestedBy(), r.reason(), true,
        r.rehearsalOf(), r.through(), r.leaseHolder(), r.lockWait(), r.buildUrl());
  }

  /** §9.1: a rehearsal runs on an environment the plan rehearses on (staging, dr), never on production. */
  public static void checkRehearsalEnvironment(Plan plan, String environment) {
    List<String> rehearsed = plan.rehearsals().stream().map(t -> t.environment()).distinct().toList();
    if (!rehearsed.contains(environment)) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--rehearsal: rehearsals run where the plan's §9.1 tests do, never on " + environment
          + (rehearsed.isEmpty() ? "; the plan names no rehearsal (rehearsals: in the plan), so no environment is allowed"
              : "; allowed: --env " + String.join(", ", rehearsed)));
    }
  }

  /** The database side of {@code scenario} as the run will build it: refused now (exit 2) when its URL is missing, e.g. before a watch. */
  public void requireDatabase(String scenario, String environment) {
    Scenario s = plan.scenario(scenario);
    if (s.needsDatabase()) databaseSource.url(plan.environment(environment));
  }

  /** Scenario D: the backup to restore and the last known good image (null: Blue's). */
  public RollbackRun restore(Path dump, String image) {
    this.dump = dump;
    this.redeployImage = image;
    return this;
  }

  /** Earlier builds' journals (Jenkins: one folder per build): a no-op names the run there that did the rollback. */
  public RollbackRun earlierJournals(Path siblings) {
    this.earlierJournals = siblings;
    return this;
  }

  /** A person's reason to switch traffic although Green is past the window for it (§1.2, 24 h+); null: none. */
  public RollbackRun capabilityOverride(String reason) {
    this.capabilityOverride = reason;
    return this;
  }

  public RollbackRun waiting(Waiting w) {
    this.waiting = w;
    return this;
  }

  /** Where each step and message is printed for a person; null prints nothing. */
  public RollbackRun printTo(PrintWriter out) {
    this.out = out;
    return this;
  }

  private boolean stopOnSignals;
  /** While this process advances a run with {@link #stopOnSignals}: the request, the lease, and whether the run is ending in order. */
  private volatile Request advancing;
  private volatile EnvironmentLease leaseHeld;
  private volatile boolean ending;
  private final java.util.concurrent.CountDownLatch settled = new java.util.concurrent.CountDownLatch(1);

  /**
   * A SIGTERM or SIGINT while this process advances the run records it as stopped by its driver (journaled where, the
   * report written, the war room told, the lease kept for the run's next call) before the process exits 143 or 130. For
   * the CLI, whose process is the run's; not for a JVM that runs other things (tests, the sandbox's server).
   */
  public RollbackRun stopOnSignals() {
    this.stopOnSignals = true;
    return this;
  }

  /** Advances the run as far as {@code r.through()}, its gate, or a failing step allow. */
  public Outcome advance(Request request) {
    if (!stopOnSignals) return advanceHere(request);
    advancing = request;
    try (SignalStop signals = SignalStop.install(this::stopBySignal)) {
      return advanceHere(request);
    } finally {
      ending = true;
      settled.countDown();
    }
  }

  /**
   * The signal's stop path (on the shutdown's thread, while the step still runs on the main one): only this thread writes
   * the journal from here; the run is recorded as interrupted where it is — the same record, report and message as a
   * build's --interrupted, so the next call (or build) continues it. A run that already ended, or had not begun, is left
   * to the main thread, which is waited for.
   */
  private void stopBySignal() {
    Request r = advancing;
    if (r == null) return;
    Journal.reserveForThisThread();
    Outcome o = ending ? null : interrupted(r, "lmsctl was told to stop (SIGTERM or SIGINT: a Jenkins abort, a kill, Ctrl-C) while the run was under way");
    if (o == null || o.reports().isEmpty()) {
      // nothing recorded: the run ends (or ended) in order on its own thread
      Journal.release();
      try {
        settled.await(SignalStop.BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    EnvironmentLease lease = leaseHeld;
    if (lease != null) {
      Duration hold = plan.scenario(r.scenario()).target().limit().plus(HOLD_MARGIN);
      try {
        lease.keep(hold);
        cluster.journal().append(Event.LEASE_KEPT, Map.of("lease", lease.name(), "holder", r.leaseHolder(), "forSeconds", hold.toSeconds()));
      } catch (RuntimeException e) {
        // unkept, it expires after its ordinary duration and the run's next call takes it back then
      }
    }
    progress.say("lmsctl " + (r.rehearsal() ? "rehearsal" : "rollback") + ": INTERRUPTED: " + o.result().reason());
    o.reports().forEach(f -> progress.say("  report: " + f));
  }

  private Outcome advanceHere(Request request) {
    Request r = check(plan, request);
    Journal journal = cluster.journal();
    Scenario planned = plan.scenario(r.scenario());
    Environment environment = plan.environment(r.environment());
    // the database's URL is checked before anything connects: a run that would stop at its database step never starts
    database = databaseSource.steps(planned, cluster, environment, plan.database(), r.rehearsal(), r.trigger(), dump, outDir);
    Resumption earlier = Resumption.resuming(RunLog.read(journal), r.call(), planned);
    // §1.2 is decided when the run starts and kept with it: every later call runs the same steps
    CapabilityDecision recorded = earlier == null ? null : CapabilityDecision.recorded(plan, earlier.start());
    // Green is read once, for what the run's start records: its age (§1.2) and the release it runs (§9.1)
    Deployment green = recorded == null ? green(environment) : null;
    CapabilityDecision capability = recorded != null ? recorded
        : CapabilityDecision.of(plan, green, java.time.Instant.now(), capabilityOverride, r.requestedBy());
    Scenario scenario = capability.applyTo(planned);
    if (r.through() != null && !RunStateMachine.pausePoints(scenario).contains(r.through())) {
      // only a data review can be missing: §1.2 adds it to a run whose Green is past the traffic-switch-only window
      throw new LmsException(ExitCode.INVALID_INPUT, "--through: this run of scenario " + r.scenario() + " has no step '" + r.through() + "' ("
          + capability.describe() + "); allowed: " + String.join(", ", RunStateMachine.pausePoints(scenario)));
    }
    // a resumed run takes its lease back under the holder it had, instead of waiting for the lease to expire
    String holder = earlier != null && earlier.leaseHolder() != null ? earlier.leaseHolder() : r.leaseHolder();
    // §3.2: the automatic branch is immediate — a run that only waits for a person's decision does not hold it up
    String automatic = automaticHeld(r, journal) ? r.trigger() : null;
    // the run's identity, fixed before its lease is taken: the lease names the run, so a second engine on it is refused
    String runId = earlier != null && earlier.start().hasNonNull(RunStateMachine.RUN_ID) ? earlier.start().path(RunStateMachine.RUN_ID).asText()
        : java.util.UUID.randomUUID().toString();
    EnvironmentLease lease;
    try {
      lease = EnvironmentLease.acquire(cluster.client(), environment.namespace(), r.environment(), holder, EnvironmentLease.DEFAULT_DURATION,
          r.lockWait(), progress, automatic, runId);
    } catch (EnvironmentLease.SupersededException e) {
      return superseded(r, scenario, e);
    }
    leaseHeld = lease;
    RunStateMachine.Result result;
    int exit = ExitCode.OK;
    try {
      journal.append(Event.LEASE_ACQUIRED, Map.of("lease", lease.name(), "holder", holder));
      if (lease.superseded() != null) {
        journal.append(Event.LEASE_SUPERSEDED, Map.of("lease", lease.name(), "from", lease.superseded(), "trigger", r.trigger()));
        progress.say("  " + r.trigger() + " holds: took the environment over from '" + lease.superseded() + "', a run waiting for its decision"
            + " that had changed nothing (§3.2: the automatic branch is immediate); it ends as superseded and its deciders are told");
      }
      RunStateMachine runner = runner(r, scenario, environment, journal, capability, lease, earlier == null || !earlier.changed())
          .beforeEachStep(() -> cluster.retry().call("read the lease " + lease.name(), () -> {
        lease.check();
        return null;
      }));
      if (out != null) {
        out.printf("Scenario %s — %s (target %s) on '%s'%s%n", r.scenario(), scenario.title(), scenario.target(), r.environment(),
            earlier == null ? "" : ", resuming the run started at journal entry " + earlier.startSeq());
        out.flush();
      }
      boolean starting = earlier == null && (r.through() == null || List.of(RunStateMachine.PREFLIGHT, RunStateMachine.DECISION).contains(r.through()));
      String done = starting ? alreadyDone(environment, r.environment(), scenario, journal) : null;
      if (done != null) {
        // a second build (or terminal) after the rollback: say who did it, and ask and send nothing
        journal.append(Event.SCENARIO_ALREADY_DONE, Map.of("scenario", r.scenario(), "environment", r.environment(), "trigger", r.trigger(),
            "requestedBy", r.requestedBy(), "seen", done));
        if (out != null) {
          out.println("  NOTHING TO DO: " + done);
          out.flush();
        }
        lease.close();
        journal.append(Event.LEASE_RELEASED, Map.of("lease", lease.name()));
        return new Outcome(new RunStateMachine.Result(r.scenario(), RunStateMachine.Status.ALREADY_DONE, List.of(), Duration.ZERO, scenario.target().limit(),
            null, done, 0, null, List.of(), null), ExitCode.OK, List.of());
      }
      Map<String, Object> context = new LinkedHashMap<>();
      context.put("environment", r.environment());
      context.put("trigger", r.trigger());
      context.put("requestedBy", r.requestedBy());
      context.put(RunStateMachine.PLAN_DIGEST, plan.authorityDigest());
      if (r.reason() != null) context.put("reason", r.reason());
      context.put("rehearsal", r.rehearsal());
      if (r.rehearsalOf() != null) context.put("rehearsalOf", r.rehearsalOf());
      context.put("leaseHolder", holder);
      context.put(RunStateMachine.RUN_ID, runId);
      context.put("capability", capability.asData());
      // the release being rolled back (Green's version): what a rehearsal tested, for the readiness check (§9.1)
      String release = earlier == null ? releaseOf(green) : null;
      if (release != null) context.put("release", release);
      // each step's end in its own file too: Jenkins' stages follow this one process by them
      StepFiles stepFiles = new StepFiles(outDir);
      try {
        result = runner.run(r.scenario(), scenario, context, o -> {
          stepFiles.finished(o);
          if (out != null) {
            out.println(StepRunner.line(o));
            out.flush();
          }
        }, r.through(), earlier);
      } catch (RunStateMachine.ScenarioStoppedException e) {
        result = e.result();
        exit = e.exitCode();
      } finally {
        ending = true;
      }
    } catch (EnvironmentLease.SupersededException e) {
      // the lease is the automatic rollback's now: nothing to release
      return superseded(r, scenario, e);
    } catch (RuntimeException e) {
      lease.close();
      journal.append(Event.LEASE_RELEASED, Map.of("lease", lease.name()));
      throw e;
    }
    if (result.status() == RunStateMachine.Status.PAUSED || result.status() == RunStateMachine.Status.AWAITING_DECISION) {
      Duration hold = hold(r, scenario, result);
      // paused before its decision with nothing done: an automatic rollback may take the environment over meanwhile
      if (result.status() == RunStateMachine.Status.AWAITING_DECISION && RunStateMachine.DECISION.equals(result.stoppedAt()) && result.steps().isEmpty()
          && (earlier == null || !earlier.changed())) {
        lease.awaitingDecision(r.trigger());
      }
      lease.keep(hold);
      journal.append(Event.LEASE_KEPT, Map.of("lease", lease.name(), "holder", holder, "forSeconds", hold.toSeconds()));
    } else {
      lease.close();
      journal.append(Event.LEASE_RELEASED, Map.of("lease", lease.name()));
    }
    if (result.status() == RunStateMachine.Status.AWAITING_DECISION || result.status() == RunStateMachine.Status.REJECTED) {
      exit = ExitCode.NOT_AUTHORIZED;
    }
    boolean ended = result.status() != RunStateMachine.Status.PAUSED && result.status() != RunStateMachine.Status.AWAITING_DECISION;
    if (ended) journalGreenServed(environment);
    return new Outcome(result, exit, ended ? report(r.rehearsal()) : List.of());
  }

  /**
   * §8.2 Impact: once the run has switched, what Green served from its deployment (as the run's start recorded it, §1.2)
   * to the switch, counted by Prometheus with the plan's queries — or why it was not — journaled once for the report.
   * Read at the run's end, not at the switch: by then Prometheus has scraped past the switch.
   */
  private void journalGreenServed(Environment environment) {
    Journal journal = cluster.journal();
    Journal.Entry start = null;
    java.time.Instant switched = null;
    boolean measured = false;
    for (Journal.Entry e : RunLog.read(journal).sinceLastStart()) {
      if (e.is(Event.SCENARIO_START) && start == null) start = e;
      if (e.is(Event.SWITCH_AFTER)) {
        switched = e.ts();
        measured = false;
      }
      if (e.is(Event.GREEN_SERVED)) measured = true;
    }
    if (start == null || switched == null || measured) return;
    var age = start.data().path("capability").path("greenAgeSeconds");
    java.time.Instant deployed = age.isNumber() ? start.ts().minusSeconds(age.asLong()) : null;
    var served = lms.rollback.verify.ServedRequests.measure(plan.verification(), probes == null ? null : probes.prometheus(),
        "this run has no Prometheus (--cluster-only)", environment.green().host(), deployed, switched);
    journal.append(Event.GREEN_SERVED, served.asData());
  }

  private static RunLog.Start lastCompletedRun(Journal journal) {
    return RunLog.runs(journal).stream().filter(RunLog.Run::completed).map(RunLog.Run::start).reduce((a, b) -> b).orElse(null);
  }

  /**
   * Why a new run of {@code scenario} would change nothing, or null: traffic already on Blue with the rollback's weights,
   * and (when the scenario stops Green) Green at 0 replicas with no pod left. A scenario that changes the database is
   * never judged so: the database's state cannot be told from the cluster. Names the run that did it: of this journal, or of the
   * newest earlier build's beside it.
   */
  private String alreadyDone(Environment environment, String environmentName, Scenario scenario, Journal journal) {
    if (scenario.changesDatabase()) return null;
    boolean switches = scenario.steps().stream().anyMatch(s -> s.action() == lms.rollback.plan.StepAction.SWITCH_TRAFFIC);
    boolean stopsGreen = scenario.steps().stream().anyMatch(s -> s.action() == lms.rollback.plan.StepAction.STOP_GREEN);
    if (!switches) return null;
    try {
      var routes = lms.rollback.cluster.RouteTable.of(cluster.virtualService(environment), environment);
      if (!routes.onBlue(environment)) return null;
      String seen = "traffic is on Blue (" + String.join("; ", routes.describe()) + ")";
      if (stopsGreen) {
        Deployment green = cluster.deployment(environment.namespace(), environment.green().deployment());
        if (lms.rollback.cluster.ClusterSession.replicas(green) != 0 || !cluster.pods(environment.namespace(), environment.green().podLabels()).isEmpty()) return null;
        seen += " and Green is scaled to 0 with no pod left";
      }
      Path where = journal.file();
      RunLog.Start last = lastCompletedRun(journal);
      Path earlier = last == null && earlierJournals != null ? RunContinuation.newestJournalOn(earlierJournals, outDir, environmentName) : null;
      if (earlier != null) {
        last = lastCompletedRun(Journal.reading(earlier));
        where = earlier;
      }
      return seen + "; " + (last != null ? "the run started at entry " + last.seq() + " of " + where + " (" + plan.time().stamp(last.at())
          + ", requested by " + java.util.Objects.requireNonNullElse(last.requestedBy(), "?") + ") did it" : "no run in this journal did it: it was done before, or by hand")
          + ". No run was started; nobody was asked and nothing was sent";
    } catch (LmsException e) {
      return null; // unreadable: the preflight of a real run says why
    }
  }

  /** Who reviews Green's data (§1.2) and pauses pending transactions (§4.1 #4): the plan's DBAs. */
  static final String DATA_REVIEWERS = "dba";

  private List<String> jenkinsGroups(String role) {
    var r = plan.roles().get(role);
    return r == null ? List.of() : r.jenkins();
  }

  /** Green's Deployment, or null when it cannot be read: the preflight says so where it matters. */
  private Deployment green(Environment environment) {
    try {
      return cluster.deployment(environment.namespace(), environment.green().deployment());
    } catch (LmsException e) {
      return null;
    }
  }

  private static String releaseOf(Deployment green) {
    try {
      return green == null ? null : lms.rollback.cluster.DeploymentVersion.of(green);
    } catch (NullPointerException | IndexOutOfBoundsException e) {
      return null;
    }
  }

  /** An automatic trigger this run's journal shows the engine measured to hold (the watch that starts it fired it). */
  private boolean automaticHeld(Request r, Journal journal) {
    lms.rollback.plan.Trigger t = plan.trigger(r.trigger());
    return !t.needsApproval() && !r.rehearsal() && lms.rollback.gate.TriggerEvidence.inRunOf(journal, t.id()) != null;
  }

  /**
   * An automatic rollback took the environment over while this run waited for its decision, having changed nothing: the
   * run ends here as superseded — journaled, reported, the war room (where its deciders were asked) told — and changes nothing.
   */
  private Outcome superseded(Request r, Scenario scenario, EnvironmentLease.SupersededException e) {
    List<Path> reports = abandon(plan, outDir, cluster.journal().actor(), variables, progress, e.getMessage());
    return new Outcome(new RunStateMachine.Result(r.scenario(), RunStateMachine.Status.SUPERSEDED, List.of(), Duration.ZERO, scenario.target().limit(),
        RunStateMachine.DECISION, e.getMessage() + "; nothing was changed by this run", 0, null, scenario.steps(), null), ExitCode.NOT_AUTHORIZED, reports);
  }

  private RunStateMachine runner(Request r, Scenario scenario, Environment environment, Journal journal, CapabilityDecision capability,
      EnvironmentLease lease, boolean nothingChanged) {
    RollbackSteps steps = new RollbackSteps(cluster, r.environment(), environment, outDir, r.trigger()).redeployImage(redeployImage)
        .errorLogPattern(plan.verification().errorLogPattern());
    if (probes != null) steps.probes(probes);
    if (database != null) steps.database(database);
    Notifier notifier = new Notifier(plan, journal, new MessageTemplates(null), variables, progress, Notifier.DEFAULT_ATTEMPTS,
        Notifier.DEFAULT_BACKOFF, journal.clock());
    GateNotifier gateNotifier = GateNotifier.create(plan, journal, new MessageTemplates(null), variables, Notifier.DEFAULT_ATTEMPTS, progress);
    GateRun gate = new GateRun(plan, journal, journal.clock());
    PromptLog.Request request = new PromptLog.Request(r.requestedBy(), r.reason(), r.scenario(), r.environment(), null,
        ApprovalLink.of(r.buildUrl()));
    DataReview review = new DataReview(journal, outDir.toString());
    boolean changesData = scenario.changesDatabase();
    PreRollbackChecklist checklist = new PreRollbackChecklist(plan, cluster, environment, outDir.toString(), changesData, r.rehearsal(),
        () -> new CommunicationSchedule(plan, notifier).after(PreRollbackChecklist.PAUSE_MESSAGE));
    return steps.register(new RunStateMachine(journal).overruns(plan.stepGrace().limit(), new StepFiles(outDir)::overran))
        .on(lms.rollback.plan.StepAction.ANNOUNCE, step -> checklist.run())
        .waitsFor(lms.rollback.plan.StepAction.ANNOUNCE, checklist::missing)
        .on(lms.rollback.plan.StepAction.DATA_REVIEW, step -> review.done())
        .waitsFor(lms.rollback.plan.StepAction.DATA_REVIEW, () -> review.missing(capability, jenkinsGroups(DATA_REVIEWERS)))
        .hooks(new Communications(new CommunicationSchedule(plan, notifier), out))
        .preflight(() -> new Preflight(cluster, environment, scenario, probes, dump).capability(capability, r.scenario()).run())
        .gate(() -> measureTrigger(r, environment, journal) && waiting.here()
            ? awaitDecision(gate, gateNotifier, request, r, lease, nothingChanged)
            : gate.advance(r.trigger(), r.scenario(), r.rehearsal(), request, gateNotifier, 1.0));
  }

  /** Waits here for the decision; while nothing is changed yet, an automatic rollback may supersede this run (§3.2). */
  private GateRun.State awaitDecision(GateRun gate, GateNotifier notifier, PromptLog.Request request, Request r, EnvironmentLease lease,
      boolean nothingChanged) {
    if (!nothingChanged) {
      return gate.await(r.trigger(), r.scenario(), r.rehearsal(), request, notifier, waiting.timeScale(), waiting.poll(), progress, waiting.inbox());
    }
    lease.awaitingDecision(r.trigger());
    GateRun.State decided = gate.await(r.trigger(), r.scenario(), r.rehearsal(), request, notifier, waiting.timeScale(), waiting.poll(), progress,
        waiting.inbox(), lease::requireNotSuperseded);
    lease.awaitingDecision(null);
    return decided;
  }

  /**
   * §2.1: an automatic trigger lets a run start without a person only when the engine measured it to hold. Naming it is
   * not evidence: unless the watch that started this run journaled it, the run measures it once, before its decision,
   * on its own Prometheus, and journals the samples. Where it cannot measure (--cluster-only), or it does not hold, the
   * gate asks the authority of a manual request. A trigger people decide that the plan gives a measure (MAN-001's error
   * rate, MAN-002's p95) is measured the same way, once, as its gate opens: its deciders read the value, or why there is
   * none, instead of "judged by a person". Always true: it only journals.
   */
  private boolean measureTrigger(Request r, Environment environment, Journal journal) {
    lms.rollback.plan.Trigger t = plan.trigger(r.trigger());
    if (r.rehearsal() || t.needsApproval() && t.measure() == null) return true;
    if (lms.rollback.gate.TriggerEvidence.inRunOf(journal, t.id()) != null) return true;
    Map<String, Object> data = measurement(t, environment);
    data.put("measuredBy", "the run, before its decision");
    journal.append(Event.TRIGGER_EVALUATED, data);
    progress.say("  " + t.id() + " measured: " + data.get("state") + " (" + data.get("detail") + ")");
    return true;
  }

  /** The trigger measured now on the run's Prometheus, as the journal keeps it; "not measured" and why where it cannot be. */
  private Map<String, Object> measurement(lms.rollback.plan.Trigger t, Environment environment) {
    String why = probes == null ? "this run has no Prometheus (--cluster-only)" : "the plan gives " + t.id() + " no measure";
    if (probes != null && t.measure() != null) {
      try {
        return new LinkedHashMap<>(new lms.rollback.trigger.TriggerEvaluator(plan.verification(), probes.prometheus())
            .routedToGreen(() -> lms.rollback.cluster.RouteTable.of(cluster.virtualService(environment), environment).maxGreenShare())
            .evaluate(t, environment, java.time.Instant.now()).asData());
      } catch (RuntimeException e) {
        // whatever kept it from being measured leaves the decision to people, never to the shortcut
        why = "it could not be measured: " + e.getMessage();
      }
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("trigger", t.id());
    data.put("state", lms.rollback.gate.TriggerEvidence.NOT_MEASURED);
    data.put("at", java.time.Instant.now().toString());
    data.put("detail", why);
    return data;
  }

  /**
   * What a run would do, changing nothing, opening no prompt and sending nothing: the preflight's
   * checks, who would be asked to decide, and the steps that would run.
   */
  public Map<String, Object> dryRun(Request request) {
    Request r = check(plan, request);
    Environment environment = plan.environment(r.environment());
    CapabilityDecision capability = CapabilityDecision.of(plan, green(environment), java.time.Instant.now(), capabilityOverride, r.requestedBy());
    Scenario scenario = capability.applyTo(plan.scenario(r.scenario()));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("scenario", r.scenario());
    data.put("state", "dry-run");
    List<Map<String, Object>> checks = new ArrayList<>();
    int exit = ExitCode.OK;
    for (Preflight.Check c : new Preflight(cluster, environment, scenario, probes, dump).capability(capability, r.scenario()).checks()) {
      checks.add(Map.of("name", c.name(), "ok", c.ok(), "seen", c.seen()));
      if (!c.ok() && exit == ExitCode.OK) exit = c.exitCode();
    }
    lms.rollback.plan.Trigger t = plan.trigger(r.trigger());
    GatePlan gate = new Authority(plan).gateFor(r.trigger(), r.rehearsal() ? null : r.scenario());
    if (!t.needsApproval() && !r.rehearsal()) {
      // what the real run would measure; a dry run's measurement is not evidence for a later run, so it is kept here only
      Map<String, Object> m = measurement(t, environment);
      data.put("measured", m);
      gate = new Authority(plan).gateFor(r.trigger(), r.scenario(), lms.rollback.gate.TriggerEvidence.of(m));
    }
    data.put("preflight", checks);
    data.put("gate", gate.asData());
    data.put("plan", RunStateMachine.planData(scenario.steps()));
    data.put("messages", messagesOf(scenario, gate.approvalNeeded()));
    data.put("exitCode", exit);
    cluster.journal().append(Event.DRY_RUN, data);
    return data;
  }

  /**
   * The §6.1 messages this scenario's run sends: at its start and end and after its own steps, and "not started" only
   * where someone decides (a rejection). The watch's alerts and a step the scenario lacks are not among them.
   */
  private List<String> messagesOf(Scenario scenario, boolean decided) {
    java.util.Set<String> events = new java.util.HashSet<>(List.of(CommunicationSchedule.START, CommunicationSchedule.END));
    scenario.steps().forEach(s -> events.add(s.action().key()));
    return plan.communications().stream().filter(c -> events.contains(c.after()) || decided && c.after().equals(CommunicationSchedule.REJECTED))
        .map(c -> c.message() + " after " + c.after() + " on " + c.channel() + (c.after().equals(CommunicationSchedule.REJECTED) ? " (if rejected)" : ""))
        .toList();
  }

  private Duration hold(Request r, Scenario scenario, RunStateMachine.Result result) {
    if (result.status() == RunStateMachine.Status.AWAITING_DECISION && RunStateMachine.DECISION.equals(result.stoppedAt())) {
      GatePlan gate = new Authority(plan).gateFor(r.trigger(), r.scenario(),
          lms.rollback.gate.TriggerEvidence.inRunOf(cluster.journal(), r.trigger()));
      Duration windows = gate.levels().stream().map(GatePlan.Level::window).reduce(Duration.ZERO, Duration::plus);
      if (gate.twoPersonRule() != null) windows = windows.plus(gate.levels().get(0).window());
      return windows.plus(HOLD_MARGIN);
    }
    return scenario.target().limit().plus(HOLD_MARGIN);
  }

  /**
   * The run's driver stopped it mid-way (a Jenkins build aborted or killed, its agent lost): journals where the run
   * stopped and why, writes its report as it stands, and tells the war room where it stopped and how to continue.
   * Changes nothing in the cluster and keeps the run unfinished, so the next call continues it. Nothing is said twice:
   * a run the engine already ended, stopped at a failing step (it told the war room itself) or recorded as interrupted
   * with nothing done since, is left as it is.
   */
  public Outcome interrupted(Request request, String why) {
    Request r = check(plan, request);
    Scenario scenario = plan.scenario(r.scenario());
    Journal journal = cluster.journal();
    RunLog log = RunLog.read(journal);
    Resumption earlier = Resumption.resuming(log, r.call(), scenario);
    if (earlier == null) {
      return new Outcome(new RunStateMachine.Result(r.scenario(), RunStateMachine.Status.INTERRUPTED, List.of(), Duration.ZERO, scenario.target().limit(),
          null, "no unfinished run of scenario " + r.scenario() + " in " + journal.file() + ": nothing to record", 0, null, scenario.steps(), null),
          ExitCode.OK, List.of());
    }
    String openStep = null;
    List<String> done = new ArrayList<>();
    for (Journal.Entry e : log.sinceUnfinished()) {
      String action = e.data().path("action").asText(null);
      if (e.is(Event.STEP_START)) openStep = action;
      if (e.is(Event.STEP_END) || e.is(Event.STEP_SKIPPED)) {
        openStep = null;
        if (e.data().path("ok").asBoolean(true) && !done.contains(action)) done.add(action);
      }
    }
    String stoppedAt = openStep != null ? openStep : done.isEmpty() ? (earlier.decided() ? "after its decision, before its first step" : "before its decision")
        : "after " + done.get(done.size() - 1);
    // the engine's own stop (a failing step) or an interruption already recorded: the journal's last say of the run
    if (log.phase() == RunLog.Phase.STOPPED || log.phase() == RunLog.Phase.INTERRUPTED) {
      return new Outcome(new RunStateMachine.Result(r.scenario(), RunStateMachine.Status.INTERRUPTED, List.of(), Duration.ZERO, scenario.target().limit(),
          stoppedAt, "the run's last entry is " + log.lastSaid().type() + ": already recorded and told; nothing more to record", earlier.startSeq(), null,
          scenario.steps(), null), ExitCode.OK, List.of());
    }
    journal.append(Event.SCENARIO_INTERRUPTED, Map.of("scenario", r.scenario(), "stoppedAt", stoppedAt, "reason", why, "done", done));
    Notifier notifier = new Notifier(plan, journal, new MessageTemplates(null), variables, progress, Notifier.DEFAULT_ATTEMPTS,
        Notifier.DEFAULT_BACKOFF, journal.clock());
    new Communications(new CommunicationSchedule(plan, notifier), out).interrupted();
    String reason = "interrupted " + stoppedAt + ": " + why + "; nothing after that was done. The same command (the next build of the job) "
        + "continues this run: its decision still counts and no message is sent again";
    return new Outcome(new RunStateMachine.Result(r.scenario(), RunStateMachine.Status.INTERRUPTED, List.of(), Duration.ZERO, scenario.target().limit(),
        stoppedAt, reason, earlier.startSeq(), null, scenario.steps(), null), ExitCode.OK, report(r.rehearsal()));
  }

  /**
   * Closes the unfinished run of the journal in {@code folder} as abandoned — a later request may not continue it
   * ({@link RunContinuation#stale}) — in that journal, writes its report there and tells the war room that it will not
   * go on. Changes nothing in the cluster. Returns the reports written (none when no run was unfinished).
   */
  public static List<Path> abandon(Plan plan, Path folder, String actor, Map<String, String> variables, Progress progress, String why) {
    Journal journal = new Journal(folder, actor);
    RunLog log = RunLog.read(journal);
    RunLog.Start start = log.unfinished();
    if (start == null) return List.of();
    journal.append(Event.SCENARIO_ABANDONED, Map.of("scenario", start.scenario(), "reason", why));
    progress.say("  the unfinished run in " + folder + " (" + start.describe() + ") was closed as abandoned: " + why);
    Notifier notifier = new Notifier(plan, journal, new MessageTemplates(null), variables, progress, Notifier.DEFAULT_ATTEMPTS,
        Notifier.DEFAULT_BACKOFF, journal.clock());
    new CommunicationSchedule(plan, notifier).after(CommunicationSchedule.ABANDONED);
    return report(plan, journal, folder, start.rehearsal());
  }

  /** The §8 report of the run that just ended, in every format, and the §9.2 scorecard of a rehearsal. */
  private List<Path> report(boolean rehearsal) {
    return report(plan, cluster.journal(), outDir, rehearsal);
  }

  private static List<Path> report(Plan plan, Journal journal, Path outDir, boolean rehearsal) {
    RollbackReport report = new ReportBuilder(plan).build(journal.file(), null, null);
    List<RehearsalScorecard.Score> scores = rehearsal ? RehearsalScorecard.score(report, plan) : List.of();
    if (rehearsal) {
      // in the journal too, hash-chained: readiness (§9.1) counts a rehearsal only when its scorecard passed. Before the
      // report is written, so that the report's record of the journal (its entries, its head) is the journal's last word
      Map<String, Object> scored = new LinkedHashMap<>();
      scored.put("scenario", report.scenario());
      scored.put("passed", RehearsalScorecard.passed(scores));
      scored.put("items", scores.stream().map(RehearsalScorecard.Score::asData).toList());
      journal.append(Event.REHEARSAL_SCORED, scored);
      report = new ReportBuilder(plan).build(journal.file(), null, null);
    }
    List<Path> files = new ArrayList<>(ReportWriter.write(report, outDir, EnumSet.allOf(ReportWriter.Format.class)));
    if (rehearsal) {
      Path card = outDir.resolve(SCORECARD_FILE);
      try {
        Files.writeString(card, RehearsalScorecard.junit(scores));
      } catch (java.io.IOException e) {
        throw new LmsException(ExitCode.OTHER, "cannot write " + card + ": " + e.getMessage(), e);
      }
      files.add(card);
    }
    return files;
  }
}
