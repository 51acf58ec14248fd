package lms.rollback.gate;

import lms.rollback.audit.Login;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Plan;

/**
 * Checks a decision against the authority matrix and journals it. Jenkins' input step lets
 * administrators approve and anyone with Job/Cancel reject whatever its submitter list says, so
 * the person is checked here, after the fact; a refused decision is journaled as such.
 */
public final class DecisionRecorder {
  public enum Kind { approve, reject, timeout }

  /** The longest reason a decision takes, in characters: it travels in every notice of the gate. */
  public static final int MAX_REASON_CHARS = 2000;

  /** How much earlier than the engine's deadline Jenkins' own timer may fire (the controller's clock is not the agent's). */
  static final java.time.Duration EARLY_TIMEOUT = java.time.Duration.ofSeconds(5);

  /** What was decided, by whom, at which level of escalation. */
  public record Decision(String trigger, Kind kind, String by, List<String> groups, String reason, int level, String requestedBy,
      boolean database, boolean administrator) {}

  /** What the journal now says. */
  public record Outcome(Kind kind, String by, String role, boolean override, boolean databaseAuthorized, List<String> databaseApprovers,
      String signedBy) {
    public Outcome(Kind kind, String by, String role, boolean override, boolean databaseAuthorized, List<String> databaseApprovers) {
      this(kind, by, role, override, databaseAuthorized, databaseApprovers, null);
    }

    /** The same, proven by the signature of {@code proof} (the journal's form of it; null: unsigned). */
    Outcome signed(Map<String, Object> proof) {
      return proof == null ? this : new Outcome(kind, by, role, override, databaseAuthorized, databaseApprovers, (String) proof.get("key"));
    }

    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("decision", kind.name());
      m.put("by", by);
      m.put("role", role);
      m.put("override", override);
      m.put("databaseAuthorized", databaseAuthorized);
      m.put("databaseApprovers", databaseApprovers);
      return m;
    }
  }

  private final Plan plan;
  private final Authority authority;
  private final Journal journal;

  private final java.time.Clock clock;

  public DecisionRecorder(Plan plan, Journal journal) {
    this(plan, journal, journal.clock());
  }

  /** {@code clock}: when a window is judged to have run out. */
  public DecisionRecorder(Plan plan, Journal journal, java.time.Clock clock) {
    this.plan = plan;
    this.authority = new Authority(plan);
    this.journal = journal;
    this.clock = clock;
  }

  public Outcome record(Decision d) {
    GatePlan gate = authority.gateFor(d.trigger(), null, TriggerEvidence.inRunOf(journal, d.trigger()));
    if (!gate.approvalNeeded() && !d.database()) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--trigger: " + d.trigger() + " held when the engine measured it and needs no approval; "
          + "it rolls back at once (§2.1)");
    }
    if (Identity.normalize(d.by()) == null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--by: the user id of who decided is empty; give the Jenkins user id, e.g. --by rc.jones");
    }
    JsonNode runStart = runStart(d.trigger());
    String governing = runStart.path("planDigest").asText(null);
    if (governing != null && !governing.equals(plan.authorityDigest())) {
      // a plan edited between two calls (developers made Release Commanders) must not decide the run begun under another
      throw new LmsException(ExitCode.INVALID_INPUT, "--plan: the plan's authority differs from the one this run of " + d.trigger()
          + " started under (digest " + governing.substring(0, 12) + "…, now " + plan.authorityDigest().substring(0, 12)
          + "…); decide it under that plan (allowed: the same --plan file, unchanged). Nothing was recorded");
    }
    // the requester recorded at the run's start is compared with, not typed here: the decider's id is what a lookalike forges
    String lookalike = Identity.lookalike(d.by());
    if (lookalike != null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--by: '" + d.by().replaceAll("\\p{C}", "?") + "' is refused: " + lookalike
          + "; allowed: the Jenkins user id as the security realm has it, in one script, without spaces");
    }
    if (d.kind() == Kind.approve && Identity.normalize(d.requestedBy()) == null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--requested-by: an approval needs the requester (who may not approve their own rollback)");
    }
    if (!d.database()) {
      if (d.level() < 0 || d.level() >= gate.levels().size()) {
        throw new LmsException(ExitCode.INVALID_INPUT, "--level: " + d.level() + " does not exist for " + d.trigger() + "; allowed: 0-"
            + (gate.levels().size() - 1));
      }
      List<Integer> open = levelsStillOpen(d.trigger(), d.level());
      if (!open.isEmpty()) {
        refuse(d, "level " + d.level() + " of " + d.trigger() + " is not reached: level " + open.get(0) + " (" + gate.level(open.get(0)).title()
            + ") has not timed out; decide at level " + open.get(0));
      }
    }
    if (d.kind() == Kind.timeout) {
      Prompt p = d.database() ? Prompt.database(d.trigger()) : Prompt.level(d.trigger(), d.level());
      PromptLog.open(RunLog.read(journal).current(), p).ifPresent(o -> {
        if (o.deadline().isAfter(clock.instant().plus(EARLY_TIMEOUT))) {
          refuse(d, p.describe() + " is open until " + plan.time().stamp(o.deadline()) + "; a timeout is recorded only once its window has run out");
        }
      });
      String role = d.database() ? String.join(" and ", authority.twoPersonRule().titles()) : gate.level(d.level()).title();
      Map<String, Object> data = base(d, role);
      if (d.database()) data.put("database", true);
      journal.append(Event.GATE_DECISION, data);
      close(d, role);
      return new Outcome(d.kind(), d.by(), role, false, false, List.of());
    }
    int min = authority.minReasonLength();
    if (d.reason() == null || d.reason().strip().length() < min) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--reason: at least " + min + " characters saying why (got "
          + (d.reason() == null ? 0 : d.reason().strip().length()) + ")");
    }
    if (d.reason().strip().length() > MAX_REASON_CHARS) {
      // every notice of the gate carries the reason: a 120 KB one made the decider's notice too large for a webhook (#38)
      throw new LmsException(ExitCode.INVALID_INPUT, "--reason: " + d.reason().strip().length() + " characters; allowed: " + min + " to "
          + MAX_REASON_CHARS + " (link to a longer analysis); nothing was recorded");
    }
    Map<String, Object> proof = proof(d, runStart);
    if (d.database()) {
      return recordDatabaseApproval(d, proof).signed(proof);
    }
    GatePlan.Level level = gate.level(d.level());
    boolean allowed = Authority.holds(d.by(), d.groups(), gate.submittersAt(d.level()));
    boolean override = false;
    if (!allowed) {
      if (d.administrator() && plan.gate().allowAdministratorOverride()) {
        override = true;
      } else {
        refuse(d, d.by() + " may not decide " + d.trigger() + " at level " + d.level() + " (" + level.title() + "); who may: "
            + String.join(", ", gate.submittersAt(d.level())));
      }
    }
    String runRequester = runStart.path("requestedBy").asText(null);
    if (d.kind() == Kind.approve && runRequester != null && !Identity.same(runRequester, d.requestedBy())) {
      // the run says who asked for it: a --requested-by naming someone else would let the requester approve
      refuse(d, "this run of " + d.trigger() + " was requested by " + runRequester + ", not " + d.requestedBy() + "; --requested-by "
          + runRequester + " (who may not approve it)");
    }
    if (d.kind() == Kind.approve && Identity.same(d.by(), d.requestedBy())) {
      refuse(d, d.by() + " requested this rollback and may not also approve it");
    }
    Journal.Entry closed = levelDecision(d.trigger(), runRequester);
    if (closed != null) {
      refuse(d, "the gate of " + d.trigger() + " is already closed: " + closed.data().path("decision").asText() + "d by " + closed.data().path("by").asText()
          + " at " + plan.time().stamp(closed.ts()) + "; a decision once recorded is not reversed by a later one (to stop a run that is under way, stop its job or process)");
    }
    String role = roleHeld(gate, d);
    Map<String, Object> data = base(d, override ? "administrator override" : role);
    data.put("override", override);
    if (proof != null) data.put("signature", proof);
    journal.append(Event.GATE_DECISION, data);
    close(d, (String) data.get("role"));
    return new Outcome(d.kind(), d.by(), override ? "administrator override" : role, override, false, List.of()).signed(proof);
  }

  /**
   * How a decision is proven (§10): {@code key} signs it here with ssh-keygen, or {@code armored} is a signature made
   * elsewhere of {@code lmsctl gate statement}; {@code environment}: where the decision is taken, when no run has started.
   */
  public record Signing(String environment, java.nio.file.Path key, String armored) {
    boolean given() {
      return key != null || armored != null;
    }
  }

  private Signing signing = new Signing(null, null, null);
  private Login login = Login.current();

  /** Who records the decisions of this recorder (default: this process's login). */
  public DecisionRecorder login(Login l) {
    this.login = l;
    return this;
  }

  public DecisionRecorder signing(Signing s) {
    this.signing = s;
    return this;
  }

  /**
   * The decision's signature, verified against the plan's allowed signers, as the journal keeps it; null when none was
   * given and none is required. Refused, with nothing recorded, when one is required and missing, or does not verify.
   */
  private Map<String, Object> proof(Decision d, JsonNode runStart) {
    var policy = plan.gate().signatures();
    String env = runStart.path("environment").asText(signing.environment());
    if (!signing.given()) {
      if (!policy.requiredOn(env)) return null;
      throw new NotAuthorizedException("--sign-with: decisions on " + env + " must be signed (the plan's gate.signatures.requiredOn): sign with "
          + "your SSH key, listed for " + Identity.normalize(d.by()) + " in " + policy.allowedSigners() + ": lmsctl gate record … --sign-with "
          + "~/.ssh/id_ed25519 (or the .pub of a key in ssh-agent); nothing was recorded");
    }
    String runId = runStart.path("runId").asText(null);
    if (runId == null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--sign-with: a signed decision names its run, and no run of " + d.trigger()
          + " has started in this journal: run the rollback first (it stops at its gate, exit 5), then sign; nothing was recorded");
    }
    String reason = d.reason() == null ? "" : d.reason().strip();
    if (!reason.equals(lms.rollback.core.SecretMasker.mask(reason))) {
      // the journal masks it, and the signature is verified again over the journaled text wherever the decision counts
      throw new LmsException(ExitCode.INVALID_INPUT, "--reason: it holds what looks like a credential (a password=, token: or URL with "
          + "credentials), which the journal masks, so its signature could not be verified later; allowed: the reason without it. Nothing was recorded");
    }
    String statement = DecisionSignature.statement(runId, d.trigger(), promptOf(d), d.kind().name(), d.by(), reason);
    String armored = signing.armored() != null ? signing.armored() : DecisionSignature.sign(signing.key(), policy.namespace(), statement);
    java.nio.file.Path signers = policy.allowedSigners() == null ? null : java.nio.file.Path.of(policy.allowedSigners());
    return DecisionSignature.verify(signers, policy.namespace(), d.by(), runId, statement, armored).asData();
  }

  /** The prompt a decision answers, as its statement names it. */
  public static String promptOf(Decision d) {
    return d.database() ? "database" : "level " + d.level();
  }

  /** The run a decision of {@code trigger} would be recorded in: its id, for a statement to sign; null before a run started. */
  public String runId(String trigger) {
    return runStart(trigger).path("runId").asText(null);
  }

  /** The current run's scenario.start for {@code trigger} (who asked, under which plan), or an empty node before a run started. */
  private JsonNode runStart(String trigger) {
    RunLog.Start start = RunLog.read(journal).unfinished();
    return start != null && trigger.equals(start.trigger()) ? start.data() : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /**
   * The current run's approval or rejection of {@code trigger}'s levels, if one was recorded. An approval by the run's
   * requester (recorded before the run started, naming another requester) decided nothing, so it closes nothing.
   */
  private Journal.Entry levelDecision(String trigger, String runRequester) {
    for (Journal.Entry e : RunLog.read(journal).decisions()) {
      JsonNode data = e.data();
      boolean requesterApproval = "approve".equals(data.path("decision").asText()) && runRequester != null
          && Identity.same(runRequester, data.path("by").asText());
      if (trigger.equals(data.path("trigger").asText()) && !data.path("database").asBoolean(false)
          && List.of("approve", "reject").contains(data.path("decision").asText()) && !requesterApproval) {
        return e;
      }
    }
    return null;
  }

  /** The levels below {@code level} whose window has not run out in the current run: a level is decided only once those before it closed. */
  private List<Integer> levelsStillOpen(String trigger, int level) {
    java.util.Set<Integer> timedOut = new java.util.HashSet<>();
    for (Journal.Entry e : RunLog.read(journal).decisions()) {
      JsonNode data = e.data();
      if (trigger.equals(data.path("trigger").asText()) && !data.path("database").asBoolean(false)
          && "timeout".equals(data.path("decision").asText())) {
        timedOut.add(data.path("level").asInt());
      }
    }
    List<Integer> open = new ArrayList<>();
    for (int l = 0; l < level; l++) if (!timedOut.contains(l)) open.add(l);
    return open;
  }

  /** The lowest level whose role the person holds: the authority they decided as. */
  private static String roleHeld(GatePlan gate, Decision d) {
    for (GatePlan.Level l : gate.levels()) {
      if (l.level() <= d.level() && Authority.holds(d.by(), d.groups(), l.holders())) return l.title();
    }
    return gate.level(d.level()).title();
  }

  private Outcome recordDatabaseApproval(Decision d, Map<String, Object> proof) {
    GatePlan.TwoPersonRule rule = authority.twoPersonRule();
    List<String> held = new ArrayList<>();
    for (int i = 0; i < rule.roles().size(); i++) {
      if (Authority.holds(d.by(), d.groups(), rule.holders().get(rule.roles().get(i)))) held.add(rule.roles().get(i));
    }
    if (held.isEmpty()) {
      refuse(d, "a database rollback needs " + String.join(" and ", rule.titles()) + "; " + d.by() + " holds neither");
    }
    if (Identity.same(d.by(), d.requestedBy())) {
      refuse(d, d.by() + " requested this rollback and may not also authorize its database rollback");
    }
    Map<String, List<String>> approvals = databaseApprovals(d.trigger());
    if (d.kind() == Kind.approve && approvals.containsKey(Identity.normalize(d.by()))) {
      refuse(d, d.by() + " already approved this database rollback; the other approval must come from a different person");
    }
    Map<String, Object> data = base(d, String.join(" / ", held.stream().map(authority::title).toList()));
    if (proof != null) data.put("signature", proof);
    data.put("database", true);
    data.put("rolesHeld", held);
    journal.append(Event.GATE_DECISION, data);
    if (d.kind() == Kind.reject) {
      close(d, (String) data.get("role"));
      return new Outcome(d.kind(), d.by(), (String) data.get("role"), false, false, List.copyOf(approvals.keySet()));
    }
    approvals.put(Identity.normalize(d.by()), held);
    List<String> pair = twoPeopleCovering(rule.roles(), approvals);
    if (pair != null) {
      journal.append(Event.GATE_DATABASE_AUTHORIZED, Map.of("trigger", d.trigger(), "approvers", pair, "roles", rule.roles()));
      close(Prompt.database(d.trigger()), "authorized", String.join(" and ", pair), String.join(" and ", rule.titles()));
    }
    return new Outcome(d.kind(), d.by(), (String) data.get("role"), false, pair != null, List.copyOf(approvals.keySet()));
  }

  /** Approvals of the database rollback so far, by person, with the roles each holds. */
  private Map<String, List<String>> databaseApprovals(String trigger) {
    Map<String, List<String>> approvals = new LinkedHashMap<>();
    for (Journal.Entry e : RunLog.read(journal).decisions()) {
      JsonNode data = e.data();
      if (data.path("database").asBoolean() && trigger.equals(data.path("trigger").asText())
          && "approve".equals(data.path("decision").asText())) {
        List<String> roles = new ArrayList<>();
        data.path("rolesHeld").forEach(r -> roles.add(r.asText()));
        approvals.put(Identity.normalize(data.path("by").asText()), roles);
      }
    }
    return approvals;
  }

  /** Two different people who between them hold both roles, or null. */
  static List<String> twoPeopleCovering(List<String> roles, Map<String, List<String>> approvals) {
    for (var first : approvals.entrySet()) {
      for (var second : approvals.entrySet()) {
        if (!first.getKey().equals(second.getKey()) && first.getValue().contains(roles.get(0)) && second.getValue().contains(roles.get(1))) {
          return List.of(first.getKey(), second.getKey());
        }
      }
    }
    return null;
  }

  private Map<String, Object> base(Decision d, String role) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trigger", d.trigger());
    m.put("decision", d.kind().name());
    m.put("by", d.by());
    m.put("role", role);
    m.put("level", d.level());
    m.put("reason", d.reason() == null ? "" : d.reason().strip());
    m.put("requestedBy", d.requestedBy());
    // what the decision is checked again against wherever it is counted (DecisionProof): the groups that gave the authority,
    // the run and environment it was made for; and who recorded it, beside whom it names
    m.put("groups", d.groups() == null ? List.of() : d.groups());
    JsonNode runStart = runStart(d.trigger());
    if (runStart.hasNonNull("runId")) m.put("runId", runStart.path("runId").asText());
    String environment = runStart.path("environment").asText(signing.environment());
    if (environment != null) m.put("environment", environment);
    login.into(m);
    return m;
  }

  /** The prompt this decision answered is closed: its pending reminders stop, the report counts its wait. */
  private void close(Decision d, String role) {
    close(d.database() ? Prompt.database(d.trigger()) : Prompt.level(d.trigger(), d.level()), d.kind().name(), d.by(), role);
  }

  private void close(Prompt p, String outcome, String by, String role) {
    Map<String, Object> data = new LinkedHashMap<>(p.asData());
    data.put("outcome", outcome);
    data.put("by", by);
    data.put("role", role);
    journal.append(Event.GATE_CLOSED, data);
  }

  private void refuse(Decision d, String why) {
    Map<String, Object> data = base(d, null);
    data.put("database", d.database());
    data.put("refused", why);
    journal.append(Event.GATE_REFUSED, data);
    throw new NotAuthorizedException(why);
  }
}
