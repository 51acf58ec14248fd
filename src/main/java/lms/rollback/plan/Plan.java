package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lms.rollback.plan.RunbookTables.CapabilityWindow;
import lms.rollback.plan.RunbookTables.Channel;
import lms.rollback.plan.RunbookTables.Checklist;
import lms.rollback.plan.RunbookTables.Communication;
import lms.rollback.plan.RunbookTables.Contact;
import lms.rollback.plan.RunbookTables.FollowUp;
import lms.rollback.plan.RunbookTables.Rehearsal;
import lms.rollback.plan.RunbookTables.RehearsalItem;
import lms.rollback.plan.RunbookTables.SmokeCheck;
import lms.rollback.plan.RunbookTables.Verification;

/** The rollback plan (LMS-PHASE29-ROLLBACK-001) as data. Load it with {@link PlanLoader}. */
public record Plan(
    @JsonProperty(required = true) String document,
    @JsonProperty(required = true) String version,
    @JsonProperty(required = true) Budget targetTime,
    @JsonProperty(required = true) Map<String, Environment> environments,
    @JsonProperty(required = true) List<CapabilityWindow> capabilityWindows,
    @JsonProperty(required = true) List<Trigger> triggers,
    @JsonProperty(required = true) Map<TriggerType, AuthorityChain> authorityMatrix,
    @JsonProperty(required = true) Map<String, Role> roles,
    @JsonProperty(required = true) GatePolicy gate,
    @JsonProperty(required = true) List<Contact> contactChain,
    @JsonProperty(required = true) Checklist preRollbackChecklist,
    @JsonProperty(required = true) Map<String, Scenario> scenarios,
    @JsonProperty(required = true) Verification verification,
    @JsonProperty(required = true) List<SmokeCheck> smokeChecks,
    @JsonProperty(required = true) DatabasePlan database,
    @JsonProperty(required = true) List<Communication> communications,
    @JsonProperty(required = true) Map<String, Channel> channels,
    @JsonProperty(required = true) String supportEmail,
    @JsonProperty(required = true) List<FollowUp> immediateActions,
    @JsonProperty(required = true) List<FollowUp> rootCauseAnalysis,
    /** §7.3: due when the Release Manager sets it ("TBD" in the runbook): an item may have no due. */
    List<FollowUp> correctiveActions,
    @JsonProperty(required = true) List<RehearsalItem> rehearsalChecklist,
    List<Rehearsal> rehearsals,
    String timeZone,
    /**
     * §9.1: where a rehearsal's messages go, per channel: the variable holding the channel's address for a rehearsal, or
     * {@link #NOWHERE}. A channel not named sends nothing in a rehearsal: production's addresses are never a rehearsal's.
     */
    Map<String, String> rehearsalChannels,
    /**
     * How long a step may run past its budget before the engine reports it overrun (journal {@code step.overrun}, the step's
     * {@code steps/ACTION.overrun.json}): a driver's stage waits at most the budget plus this grace. Default {@link #DEFAULT_STEP_GRACE}.
     */
    Budget stepGrace) {

  /** The grace past a step's budget when the plan gives none. */
  public static final String DEFAULT_STEP_GRACE = "30s";

  /** A rehearsal channel that sends nothing. */
  public static final String NOWHERE = "none";

  public Plan {
    // the runbook names no zone; its times (02:15, T+5) are read in UTC unless the plan says otherwise
    timeZone = timeZone == null || timeZone.isBlank() ? "UTC" : timeZone;
    // sorted so that listings and error messages are stable
    environments = new TreeMap<>(environments);
    roles = new TreeMap<>(roles);
    scenarios = new TreeMap<>(scenarios);
    authorityMatrix = Map.copyOf(authorityMatrix);
    capabilityWindows = List.copyOf(capabilityWindows);
    triggers = List.copyOf(triggers);
    contactChain = List.copyOf(contactChain);
    smokeChecks = List.copyOf(smokeChecks);
    communications = List.copyOf(communications);
    channels = new TreeMap<>(channels);
    immediateActions = List.copyOf(immediateActions);
    rootCauseAnalysis = List.copyOf(rootCauseAnalysis);
    correctiveActions = correctiveActions == null ? List.of() : List.copyOf(correctiveActions);
    rehearsalChecklist = List.copyOf(rehearsalChecklist);
    rehearsals = rehearsals == null ? List.of() : List.copyOf(rehearsals);
    rehearsalChannels = rehearsalChannels == null ? Map.of() : new TreeMap<>(rehearsalChannels);
    stepGrace = stepGrace == null ? Budget.parse(DEFAULT_STEP_GRACE) : stepGrace;
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL = new com.fasterxml.jackson.databind.ObjectMapper()
      .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .findAndRegisterModules();

  /**
   * SHA-256 of what decides who may approve what and which steps run: the triggers, the authority matrix, the
   * roles, the gate policy, the scenarios and the database plan. A run records it at its start; a later call
   * under a plan whose digest differs (authority lowered between two stages) is refused.
   */
  @JsonIgnore
  public String authorityDigest() {
    Map<String, Object> governing = new TreeMap<>();
    governing.put("triggers", triggers);
    governing.put("authorityMatrix", authorityMatrix);
    governing.put("roles", roles);
    governing.put("gate", gate);
    governing.put("scenarios", scenarios);
    governing.put("database", database);
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(governing));
      return java.util.HexFormat.of().formatHex(hash);
    } catch (java.security.NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot digest the plan: " + e.getMessage(), e);
    }
  }

  /** This plan with another verification (the sandbox's, measured by its stand-in Prometheus). */
  public Plan withVerification(Verification v) {
    return new Plan(document, version, targetTime, environments, capabilityWindows, triggers, authorityMatrix, roles, gate, contactChain,
        preRollbackChecklist, scenarios, v, smokeChecks, database, communications, channels, supportEmail, immediateActions,
        rootCauseAnalysis, correctiveActions, rehearsalChecklist, rehearsals, timeZone, rehearsalChannels, stepGrace);
  }

  /** The variable holding {@code channel}'s address in a rehearsal, or null when the plan sends a rehearsal nothing there. */
  @JsonIgnore
  public String rehearsalAddressEnv(String channel) {
    String variable = rehearsalChannels.get(channel);
    return variable == null || variable.equals(NOWHERE) ? null : variable;
  }

  /** How times read for people under this plan (validated at load: {@code timeZone} is a zone id). */
  @JsonIgnore
  public PlanTime time() {
    return new PlanTime(java.time.ZoneId.of(timeZone));
  }

  /** The environment named on the command line, or an error listing the ones the plan has. */
  @JsonIgnore
  public Environment environment(String name) {
    Environment env = environments.get(name);
    if (env == null) {
      throw new PlanException("--env", "", "unknown environment '" + name + "'; allowed: " + String.join(", ", environments.keySet()));
    }
    return env;
  }

  @JsonIgnore
  public Scenario scenario(String name) {
    Scenario s = scenarios.get(name);
    if (s == null) {
      throw new PlanException("--scenario", "", "unknown scenario '" + name + "'; allowed: " + String.join(", ", scenarios.keySet()));
    }
    return s;
  }

  @JsonIgnore
  public Trigger trigger(String id) {
    return triggers.stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow(() -> new PlanException(
        "--trigger", "", "unknown trigger '" + id + "'; allowed: " + String.join(", ", triggers.stream().map(Trigger::id).toList())));
  }

  /** What {@code triggerId} concerns (§3.3's "database issues", "security incidents"); a {@code scenario} (may be null) with a database step concerns the database too. */
  @JsonIgnore
  public java.util.Set<Concern> concernsOf(String triggerId, String scenario) {
    Trigger t = trigger(triggerId);
    java.util.Set<Concern> concerns = t.concerns().isEmpty() ? java.util.EnumSet.noneOf(Concern.class) : java.util.EnumSet.copyOf(t.concerns());
    if (scenario != null && scenario(scenario).changesDatabase()) concerns.add(Concern.DATABASE);
    return concerns;
  }

  /**
   * §3.3: the entries of the contact chain called for {@code triggerId}, in the chain's order — the one answer to "who is
   * paged", for `lmsctl contacts`, the gate's notices and an automatic trigger's alert alike.
   */
  @JsonIgnore
  public List<Contact> pagedFor(String triggerId, String scenario) {
    TriggerType type = trigger(triggerId).type();
    java.util.Set<Concern> concerns = concernsOf(triggerId, scenario);
    return contactChain.stream().sorted(java.util.Comparator.comparing(Contact::order)).filter(c -> c.page().pages(type, concerns)).toList();
  }

  /**
   * Whom an automatic trigger's alert reaches (§2.1 "Alert"): the roles §3.3 pages for it ({@link #pagedFor}), then the
   * automatic row's backup of §3.1 — who must act when the automatic rollback does not complete — unless the chain has
   * it already. With no trigger known to the plan (none journaled), that backup alone: somebody always hears.
   */
  @JsonIgnore
  public List<String> alertedRoles(String triggerId, String scenario) {
    java.util.LinkedHashSet<String> roles = new java.util.LinkedHashSet<>();
    if (triggerId != null && triggers.stream().anyMatch(t -> t.id().equals(triggerId))) {
      pagedFor(triggerId, scenario).forEach(c -> roles.add(c.role()));
    }
    AuthorityChain automatic = authorityMatrix.get(TriggerType.AUTOMATIC);
    if (automatic != null && this.roles.containsKey(automatic.backup())) roles.add(automatic.backup());
    return List.copyOf(roles);
  }

  /**
   * The §9.1 test {@code name}, for a run that rehearses it: of a scenario the test accepts, on the test's environment
   * when the plan has that environment.
   */
  @JsonIgnore
  public Rehearsal rehearsal(String name, String scenario, String environment) {
    Rehearsal t = rehearsals.stream().filter(r -> r.test().equals(name)).findFirst().orElseThrow(() -> new PlanException("--rehearsal-of", "",
        "unknown test '" + name + "'; allowed: " + String.join(", ", rehearsals.stream().map(Rehearsal::test).toList())));
    if (!t.scenarios().contains(scenario)) {
      throw new PlanException("--scenario", "", "the " + t.title() + " test (§9.1) rehearses scenario " + String.join(" or ", t.scenarios()) + ", not " + scenario);
    }
    if (environments.containsKey(t.environment()) && !t.environment().equals(environment)) {
      throw new PlanException("--env", "", "the " + t.title() + " test (§9.1) runs on " + t.environment() + ", not " + environment);
    }
    return t;
  }

  /** The budget the plan gives a step, for a verb run on its own: from the first scenario that has it. */
  @JsonIgnore
  public Budget stepBudget(StepAction action) {
    return scenarios.values().stream().map(s -> s.budgetOf(action)).filter(java.util.Objects::nonNull).findFirst()
        .orElseThrow(() -> new PlanException("plan", "scenarios", "no scenario has a '" + action.key() + "' step to take its budget from"));
  }

  /** §1.2: the window that applies this long after Green was deployed. */
  @JsonIgnore
  public CapabilityWindow capabilityWindow(java.time.Duration sinceDeploy) {
    for (CapabilityWindow w : capabilityWindows) {
      boolean afterStart = sinceDeploy.compareTo(w.from().limit()) >= 0;
      boolean beforeEnd = w.to() == null || sinceDeploy.compareTo(w.to().limit()) < 0;
      if (afterStart && beforeEnd) return w;
    }
    return capabilityWindows.get(capabilityWindows.size() - 1);
  }
}
