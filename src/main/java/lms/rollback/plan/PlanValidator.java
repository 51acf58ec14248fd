package lms.rollback.plan;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/** The rules that span fields: weights, references between sections, unique ids. */
final class PlanValidator {
  private static final Pattern TRIGGER_ID = Pattern.compile("(AUTO|MAN|BUS)-\\d{3}");
  private static final int MAX_WEIGHT = 100;
  private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");

  private final String source;

  PlanValidator(String source) {
    this.source = source;
  }

  void validate(Plan plan) {
    try {
      java.time.ZoneId.of(plan.timeZone());
    } catch (java.time.DateTimeException e) {
      fail("timeZone", "'" + plan.timeZone() + "' is not a time zone; allowed: a region id such as Europe/Berlin or America/New_York, or UTC");
    }
    if (plan.environments().isEmpty()) fail("environments", "at least one environment is required");
    plan.environments().forEach((name, env) -> validate("environments." + name, env));

    verification(plan.verification());
    positive("gate.immediateWindow", plan.gate().immediateWindow(), "2m");
    plan.scenarios().forEach((name, scenario) -> {
      for (int i = 0; i < scenario.steps().size(); i++) positive("scenarios." + name + ".steps[" + i + "].budget", scenario.steps().get(i).budget(), "2m");
    });

    Set<String> ids = new HashSet<>();
    for (int i = 0; i < plan.triggers().size(); i++) {
      Trigger t = plan.triggers().get(i);
      String at = "triggers[" + i + "]";
      if (!TRIGGER_ID.matcher(t.id()).matches()) fail(at + ".id", "'" + t.id() + "' is not a trigger id; allowed: AUTO-nnn, MAN-nnn, BUS-nnn");
      if (!ids.add(t.id())) fail(at + ".id", "'" + t.id() + "' appears twice");
      if (t.authority() != null) decider(plan, at + ".authority", t.authority());
      if (t.escalation() != null) {
        if (t.authority() == null) {
          fail(at + ".escalation", t.id() + " names no authority of its own; allowed: escalation only with authority (its own chain), or no "
              + "escalation (its type's row of authorityMatrix)");
        }
        Set<String> chain = new HashSet<>(Set.of(t.authority()));
        for (int j = 0; j < t.escalation().size(); j++) {
          decider(plan, at + ".escalation[" + j + "]", t.escalation().get(j));
          if (!chain.add(t.escalation().get(j))) fail(at + ".escalation[" + j + "]", "'" + t.escalation().get(j) + "' already decides " + t.id());
        }
      }
      if (t.measure() != null && !plan.verification().queries().containsKey(t.measure().query())) {
        fail(at + ".measure.query", "unknown query '" + t.measure().query() + "'; allowed: "
            + String.join(", ", new java.util.TreeSet<>(plan.verification().queries().keySet())));
      }
    }
    for (TriggerType type : TriggerType.values()) {
      AuthorityChain chain = plan.authorityMatrix().get(type);
      if (chain == null) fail("authorityMatrix." + type.key(), "missing row; the matrix needs automatic, technical, business and security");
      // the automatic row's primary is the system itself; every other level is a person who must be able to decide
      if (type == TriggerType.AUTOMATIC) role(plan, "authorityMatrix." + type.key() + ".primary", chain.primary());
      else decider(plan, "authorityMatrix." + type.key() + ".primary", chain.primary());
      decider(plan, "authorityMatrix." + type.key() + ".backup", chain.backup());
      decider(plan, "authorityMatrix." + type.key() + ".escalation", chain.escalation());
    }
    authorityOrder(plan);
    for (int i = 0; i < plan.gate().databaseRollbackApprovers().size(); i++) {
      decider(plan, "gate.databaseRollbackApprovers[" + i + "]", plan.gate().databaseRollbackApprovers().get(i));
    }
    for (int i = 0; i < plan.gate().notices().channels().size(); i++) {
      String channel = plan.gate().notices().channels().get(i);
      if (!plan.channels().containsKey(channel)) {
        fail("gate.notices.channels[" + i + "]", "unknown channel '" + channel + "'; allowed: " + String.join(", ", plan.channels().keySet()));
      }
    }
    Set<Integer> orders = new HashSet<>();
    for (int i = 0; i < plan.contactChain().size(); i++) {
      var c = plan.contactChain().get(i);
      role(plan, "contactChain[" + i + "].role", c.role());
      if (!orders.add(c.order())) fail("contactChain[" + i + "].order", c.order() + " appears twice");
      if (!c.page().always() && c.page().types().isEmpty() && c.page().concerns().isEmpty()) {
        fail("contactChain[" + i + "].page", "pages nobody; allowed: always: true, types: [automatic|technical|business|security], "
            + "concerns: [database|security|business-critical]");
      }
    }
    var items = plan.preRollbackChecklist().items();
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).role() != null) role(plan, "preRollbackChecklist.items[" + i + "].role", items.get(i).role());
      if (items.get(i).budget() != null && items.get(i).budget().limit().isZero()) {
        fail("preRollbackChecklist.items[" + i + "].budget", "0s gives the person no time; allowed: a positive duration, e.g. 10m");
      }
    }
    // §7.1 and §7.2 are due relative to the rollback; only §7.3's corrective actions may leave it to their owner
    for (int i = 0; i < plan.immediateActions().size(); i++) {
      if (plan.immediateActions().get(i).due() == null) fail("immediateActions[" + i + "].due", "missing; allowed: a duration after the rollback, e.g. 30m");
    }
    for (int i = 0; i < plan.rootCauseAnalysis().size(); i++) {
      if (plan.rootCauseAnalysis().get(i).due() == null) fail("rootCauseAnalysis[" + i + "].due", "missing; allowed: a duration after the rollback, e.g. 24h");
    }
    DecisionSignatures signed = plan.gate().signatures();
    for (int i = 0; i < signed.requiredOn().size(); i++) {
      if (!plan.environments().containsKey(signed.requiredOn().get(i))) {
        fail("gate.signatures.requiredOn[" + i + "]", "'" + signed.requiredOn().get(i) + "' is not an environment of the plan; allowed: "
            + String.join(", ", plan.environments().keySet()));
      }
    }
    if (!signed.requiredOn().isEmpty() && (signed.allowedSigners() == null || signed.allowedSigners().isBlank())) {
      fail("gate.signatures.allowedSigners", "missing: signatures are required on " + String.join(", ", signed.requiredOn())
          + " but nobody could sign; allowed: the path of an OpenSSH allowed_signers file (the decider's Jenkins id, then their public key)");
    }
    if (plan.gate().continueWithin().limit().isZero() || plan.gate().continueWithin().limit().isNegative()) {
      fail("gate.continueWithin", plan.gate().continueWithin() + " cannot let any run continue; allowed: a duration above 0, e.g. 30m");
    }
    if (plan.gate().minReasonLength() < 1) fail("gate.minReasonLength", plan.gate().minReasonLength() + " is too small; allowed: 1 or more");
    var v = plan.verification();
    v.noData().keySet().stream().filter(q -> !v.queries().containsKey(q)).findFirst().ifPresent(q -> fail("verification.noData." + q,
        "unknown query '" + q + "'; allowed: " + String.join(", ", new java.util.TreeSet<>(v.queries().keySet()))));
    // Blue is judged on data from after the switch only: settling, then two scrapes for a first rate
    java.time.Duration firstEvidence = v.firstEvidence();
    if (v.observationWindow().limit().compareTo(firstEvidence) < 0) {
      fail("verification.observationWindow", v.observationWindow().text() + " ends before the first post-switch sample (scrapeInterval "
          + v.scrapeInterval().text() + " + routePropagation " + v.routePropagation().text() + ", then two scrapes: "
          + Budget.format(firstEvidence) + "); allowed: " + Budget.format(firstEvidence) + " or more");
    }
    if (plan.scenarios().isEmpty()) fail("scenarios", "at least one scenario is required");
    plan.scenarios().forEach((name, s) -> {
      if (s.steps().isEmpty()) fail("scenarios." + name + ".steps", "a scenario needs at least one step");
      // Blue is observed inside its step: a window longer than the step's budget overruns it on every rollback
      s.steps().stream().filter(st -> st.action() == StepAction.VERIFY_BLUE).findFirst().ifPresent(st -> {
        java.time.Duration window = plan.verification().observationWindow().limit();
        if (window.compareTo(st.budget().limit()) >= 0) {
          fail("verification.observationWindow", plan.verification().observationWindow().text() + " does not fit scenario " + name
              + "'s verify-blue budget of " + st.budget().text() + "; allowed: less than " + st.budget().text()
              + " (the health, version and status checks need time too)");
        }
      });
    });
    for (int i = 0; i < plan.communications().size(); i++) {
      String after = plan.communications().get(i).after();
      java.util.List<String> events = new java.util.ArrayList<>(java.util.List.of("start", "end", "rejected", "interrupted", "abandoned", "auto-trigger", "auto-not-completed",
          "auto-blocked", "manual-trigger", "manual-trigger-overdue", "pause-transactions", "rehearsal-not-run"));
      for (StepAction a : StepAction.values()) events.add(a.key());
      if (!events.contains(after)) fail("communications[" + i + "].after", "'" + after + "' is not allowed; allowed: " + String.join(", ", events));
      String channel = plan.communications().get(i).channel();
      String to = plan.communications().get(i).to();
      if (to != null && !to.equals(RunbookTables.Communication.PAGED) && !plan.roles().containsKey(to)) {
        fail("communications[" + i + "].to", "unknown role '" + to + "'; allowed: " + RunbookTables.Communication.PAGED + " (whom §3.3 pages for the trigger), "
            + String.join(", ", plan.roles().keySet()));
      }
      if (!plan.channels().containsKey(channel)) {
        fail("communications[" + i + "].channel", "unknown channel '" + channel + "'; allowed: " + String.join(", ", plan.channels().keySet()));
      }
    }
    for (int i = 0; i < plan.rehearsalChecklist().size(); i++) {
      var item = plan.rehearsalChecklist().get(i);
      String at = "rehearsalChecklist[" + i + "]";
      var measured = RunbookTables.RehearsalItem.STEPS_MEASURED;
      if (!measured.containsKey(item.measure())) {
        fail(at + ".measure", "unknown measure '" + item.measure() + "'; allowed: " + String.join(", ", measured.keySet()));
      }
      if (RunbookTables.RehearsalItem.TIMED.contains(item.measure()) && item.limit() == null) {
        fail(at + ".limit", "measure " + item.measure() + " is a time and needs a limit (e.g. limit: 15m)");
      }
      for (String sc : item.scenarios() == null ? java.util.List.<String>of() : item.scenarios()) {
        if (!plan.scenarios().containsKey(sc)) {
          fail(at + ".scenarios", "unknown scenario '" + sc + "'; allowed: " + String.join(", ", plan.scenarios().keySet()));
        }
      }
    }
    // a scenario's scorecard numbers its items once: two #4 on one scorecard could not be told apart
    for (String sc : plan.scenarios().keySet()) {
      Set<Integer> numbers = new HashSet<>();
      for (int i = 0; i < plan.rehearsalChecklist().size(); i++) {
        var item = plan.rehearsalChecklist().get(i);
        if (item.scores(sc) && !numbers.add(item.id())) {
          fail("rehearsalChecklist[" + i + "].id", "#" + item.id() + " is on scenario " + sc + "'s scorecard twice; allowed: an id once per "
              + "scenario (give one of them scenarios: [...] that leaves " + sc + " out)");
        }
      }
    }
    plan.rehearsalChannels().forEach((channel, variable) -> {
      String at = "rehearsalChannels." + channel;
      if (!plan.channels().containsKey(channel)) {
        fail(at, "unknown channel '" + channel + "'; allowed: " + String.join(", ", plan.channels().keySet()));
      }
      if (variable == null || !variable.equals(Plan.NOWHERE) && !ENV_NAME.matcher(variable).matches()) {
        fail(at, "'" + variable + "' is not allowed; allowed: " + Plan.NOWHERE + " (a rehearsal sends nothing there), or the name of the environment "
            + "variable holding the channel's address for a rehearsal, such as LMS_REHEARSAL_" + channel.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
      }
    });
    for (int i = 0; i < plan.smokeChecks().size(); i++) smokeCheck("smokeChecks[" + i + "]", plan.smokeChecks().get(i));
    if (plan.capabilityWindows().isEmpty()) fail("capabilityWindows", "at least one window is required");
    for (int i = 0; i < plan.capabilityWindows().size(); i++) {
      var w = plan.capabilityWindows().get(i);
      if (w.requires() == CapabilityRule.DATA_REVIEW && (w.review() == null || w.review().action() != StepAction.DATA_REVIEW)) {
        fail("capabilityWindows[" + i + "].review", "a window that requires data-review names its step: { action: data-review, title: ..., budget: ... }");
      }
    }
    java.util.Set<String> tests = new java.util.HashSet<>();
    for (int i = 0; i < plan.rehearsals().size(); i++) {
      var t = plan.rehearsals().get(i);
      // the name becomes a folder of the build (lms-rollback/build-N/TEST) and a Jenkins choice
      if (!t.test().matches("[a-z][a-z0-9-]{0,39}")) fail("rehearsals[" + i + "].test", "'" + t.test() + "' is not a name like full-rollback (a-z, 0-9, '-')");
      if (!tests.add(t.test())) fail("rehearsals[" + i + "].test", "'" + t.test() + "' is named twice");
      if (t.scenarios().isEmpty()) fail("rehearsals[" + i + "].scenarios", "at least one scenario is required");
      for (String sc : t.scenarios()) {
        if (!plan.scenarios().containsKey(sc)) {
          fail("rehearsals[" + i + "].scenarios", "unknown scenario '" + sc + "'; allowed: " + String.join(", ", plan.scenarios().keySet()));
        }
      }
      if (t.withinDays() != null && t.withinDays() < 1) fail("rehearsals[" + i + "].withinDays", t.withinDays() + " is too small; allowed: 1 or more");
    }
  }

  private void validate(String at, Environment env) {
    weight(at + ".rollbackWeights.blue", env.rollbackWeights().blue());
    weight(at + ".rollbackWeights.green", env.rollbackWeights().green());
    if (env.rollbackWeights().blue() + env.rollbackWeights().green() != MAX_WEIGHT) {
      fail(at + ".rollbackWeights", "blue + green must be 100, is " + (env.rollbackWeights().blue() + env.rollbackWeights().green()));
    }
    if (env.blue().host().equals(env.green().host())) fail(at + ".green.host", "Blue and Green must be different hosts");
    if (env.blue().podLabels().isEmpty()) fail(at + ".blue.podLabels", "at least one label is required to find Blue's pods");
    if (env.green().podLabels().isEmpty()) fail(at + ".green.podLabels", "at least one label is required to find Green's pods");
    if (env.minBlueReadyReplicas() != null && env.minBlueReadyReplicas() < 1) {
      fail(at + ".minBlueReadyReplicas", env.minBlueReadyReplicas() + " is too small; allowed: a whole number of 1 or more (omit it to need only as many as"
          + " Green serves with)");
    }
    if (env.routeNamespaces().isEmpty()) fail(at + ".routeNamespaces", "is empty; allowed: a list of one or more namespace names (omit it for [" + env.namespace() + "])");
    for (int i = 0; i < env.routeNamespaces().size(); i++) {
      String ns = env.routeNamespaces().get(i);
      // a Kubernetes namespace name (RFC 1123 label): anything else names no namespace a VirtualService could be in
      if (ns == null || !ns.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
        fail(at + ".routeNamespaces[" + i + "]", "'" + ns + "' is not a namespace name; allowed: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit");
      }
    }
  }

  /** With a ranking of authority in the plan, every gate escalates upwards: a decision never passes to someone below. */
  private void authorityOrder(Plan plan) {
    java.util.List<String> order = plan.gate().authorityOrder();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < order.size(); i++) {
      role(plan, "gate.authorityOrder[" + i + "]", order.get(i));
      if (!seen.add(order.get(i))) fail("gate.authorityOrder[" + i + "]", "'" + order.get(i) + "' appears twice");
    }
    if (order.isEmpty()) return;
    for (TriggerType type : TriggerType.values()) {
      AuthorityChain row = plan.authorityMatrix().get(type);
      java.util.List<String> levels = row.inOrder();
      String[] fields = {"primary", "backup", "escalation"};
      for (int j = 1; j < levels.size(); j++) {
        String below = downwards(order, levels.subList(0, j), levels.get(j));
        if (below != null) {
          fail("authorityMatrix." + type.key() + "." + fields[j], "'" + levels.get(j) + "' ranks below '" + below + "' in gate.authorityOrder, "
              + "so the gate would escalate down; allowed: " + above(order, below));
        }
      }
    }
    for (int i = 0; i < plan.triggers().size(); i++) {
      Trigger t = plan.triggers().get(i);
      if (t.authority() == null) continue;
      java.util.List<String> levels = t.deciders(plan.authorityMatrix().get(t.type()), t.type());
      for (int j = 1; j < levels.size(); j++) {
        String below = downwards(order, levels.subList(0, j), levels.get(j));
        if (below != null) {
          fail("triggers[" + i + "].escalation", t.id() + " would escalate from '" + below + "' down to '" + levels.get(j) + "' (gate.authorityOrder"
              + (t.escalation() == null ? "; its type's row of authorityMatrix" : "") + "); allowed: escalation: [roles above '" + below
              + "': " + above(order, below) + "], or escalation: [] when nobody is above it");
        }
      }
    }
  }

  /** A ranked role of {@code earlier} that {@code next} ranks below, or null. */
  private static String downwards(java.util.List<String> order, java.util.List<String> earlier, String next) {
    if (!order.contains(next)) return null;
    return earlier.stream().filter(order::contains).filter(e -> order.indexOf(e) > order.indexOf(next)).findFirst().orElse(null);
  }

  private static String above(java.util.List<String> order, String role) {
    java.util.List<String> higher = order.subList(order.indexOf(role) + 1, order.size());
    return higher.isEmpty() ? "none (nobody ranks above it)" : String.join(", ", higher);
  }

  /** The smoke tests run in production after every rollback: each proves something, and none leaves a trace there. */
  private void smokeCheck(String at, RunbookTables.SmokeCheck c) {
    method(at + ".method", c.method());
    if (c.expectFields().isEmpty() && c.expectPresent().isEmpty()) {
      fail(at + ".expectPresent", "'" + c.name() + "' would be judged on its status only; allowed: expectPresent [dotted JSON paths its answer "
          + "must hold] or expectFields { path: text }, or both");
    }
    if (RunbookTables.SmokeCheck.mayChangeState(c.method()) && (c.readOnly() == null || c.readOnly().isBlank())) {
      fail(at + ".readOnly", "'" + c.name() + "' is a " + c.method() + ", which may change production; allowed: readOnly: \"why this request "
          + "changes nothing\" (a validate-only endpoint or dry-run parameter of LMS), or a GET/HEAD check");
    }
    RunbookTables.Booking b = c.booking();
    if (b == null) return;
    String bat = at + ".booking";
    if (b.testAccount() == null || b.testAccount().name() == null || b.testAccount().name().isBlank()) {
      fail(bat + ".testAccount", "missing; a booking in production is made only as a test account; allowed: { name: ACCOUNT, headers: "
          + "{ Authorization: \"Bearer ${env:NAME}\" } }");
    }
    if (b.testAccount().headers().isEmpty()) {
      fail(bat + ".testAccount.headers", "missing; without its credentials the booking would be made as the check's account; allowed: "
          + "{ HEADER: \"... ${env:NAME} ...\" }");
    }
    if (b.method() != null) method(bat + ".method", b.method());
    if (b.path() == null || !b.path().startsWith("/")) fail(bat + ".path", "'" + b.path() + "' is not a path; allowed: /api/...");
    if (b.expectStatus() == null) fail(bat + ".expectStatus", "missing; allowed: the status of a booking made, e.g. 201");
    if (b.expectFields().isEmpty() && b.expectPresent().isEmpty()) {
      fail(bat + ".expectPresent", "the booking would be judged on its status only; allowed: expectPresent [dotted JSON paths] or expectFields "
          + "{ path: text }");
    }
    RunbookTables.Cleanup cleanup = b.cleanup();
    if (cleanup == null) {
      fail(bat + ".cleanup", "missing; a booking in production is made only when it is undone again; allowed: { method: DELETE, "
          + "path: /api/.../${answer:id}, expectStatus: 204 }");
    }
    if (cleanup.method() == null) fail(bat + ".cleanup.method", "missing; allowed: " + String.join(", ", RunbookTables.SmokeCheck.METHODS));
    method(bat + ".cleanup.method", cleanup.method());
    if (cleanup.path() == null || !cleanup.path().startsWith("/")) fail(bat + ".cleanup.path", "'" + cleanup.path() + "' is not a path; allowed: /api/...");
    if (cleanup.expectStatus() == null) fail(bat + ".cleanup.expectStatus", "missing; allowed: the status of a booking undone, e.g. 204");
    // the cleanup can only address what the booking's answer is known to hold
    java.util.Set<String> asserted = new java.util.TreeSet<>(b.expectPresent());
    asserted.addAll(b.expectFields().keySet());
    java.util.regex.Matcher m = RunbookTables.Cleanup.ANSWER_FIELD.matcher(cleanup.path());
    while (m.find()) {
      if (!asserted.contains(m.group(1))) {
        fail(bat + ".cleanup.path", "${answer:" + m.group(1) + "} is not a field the booking asserts; allowed: " + (asserted.isEmpty() ? "none"
            : asserted.stream().map(f -> "${answer:" + f + "}").collect(java.util.stream.Collectors.joining(", ")))
            + " (add it to booking.expectPresent)");
      }
    }
  }

  private void method(String at, String method) {
    if (method == null || !RunbookTables.SmokeCheck.METHODS.contains(method)) {
      fail(at, "'" + method + "' is not allowed; allowed: " + String.join(", ", RunbookTables.SmokeCheck.METHODS));
    }
  }

  private void weight(String at, int value) {
    if (value < 0 || value > MAX_WEIGHT) fail(at, value + " is outside the allowed range 0-100");
  }


  private void role(Plan plan, String at, String role) {
    if (!plan.roles().containsKey(role)) {
      fail(at, "unknown role '" + role + "'; allowed: " + String.join(", ", plan.roles().keySet()));
    }
  }

  /** A role that decides a gate names somebody: with no Jenkins user or group its level could never be decided. */
  private void decider(Plan plan, String at, String role) {
    role(plan, at, role);
    if (plan.roles().get(role).jenkins().stream().allMatch(String::isBlank)) {
      fail(at, "role '" + role + "' names nobody (roles." + role + ".jenkins is empty), so it could never decide; allowed: a role with at least one "
          + "Jenkins user or group");
    }
  }

  /**
   * What would quietly disable a check or crash the watch (#38): an empty query leaves a trigger "unknown" for ever, a 0s
   * step divides by zero, a pattern that does not compile stops the log scan.
   */
  private void verification(RunbookTables.Verification v) {
    v.queries().forEach((name, query) -> {
      if (query == null || query.isBlank()) fail("verification.queries." + name, "empty: the checks and triggers that use it could never be measured; allowed: a PromQL expression");
    });
    checks(v);
    // the report's Impact counts what Green served from its deployment to the switch: a count over any other span is not that
    for (String name : new String[] {RunbookTables.Verification.REQUESTS_SERVED, RunbookTables.Verification.ERRORS_SERVED}) {
      String query = v.queries().get(name);
      if (query != null && (!query.contains("$range") || !query.contains("$service"))) {
        fail("verification.queries." + name, "'" + query + "' does not count over $range for $service; allowed: a PromQL expression counting"
            + " $service's requests over [$range] (the span from Green's deployment to the switch), e.g. 'sum(increase(http_requests_total{service=\"$service\"}[$range]))'");
      }
    }
    positive("verification.observationWindow", v.observationWindow(), "90s");
    positive("verification.evaluationStep", v.evaluationStep(), "10s");
    positive("verification.requestTimeout", v.requestTimeout(), "5s");
    positive("verification.rateWindow", v.rateWindow(), "1m");
    positive("verification.latencyBaseline", v.latencyBaseline(), "500ms");
    positive("verification.scrapeInterval", v.scrapeInterval(), "15s");
    try {
      Pattern.compile(v.errorLogPattern());
    } catch (java.util.regex.PatternSyntaxException e) {
      fail("verification.errorLogPattern", "does not compile (" + e.getDescription() + " at index " + e.getIndex() + "); allowed: a Java regular expression, e.g. \\b(ERROR|FATAL)\\b");
    }
  }

  /** Each Prometheus check names a query the plan has, a threshold that is a number, and a name no other check has. */
  private void checks(RunbookTables.Verification v) {
    Set<String> names = new HashSet<>();
    // the report's counts over [$range] are no sample a check can hold against a threshold
    java.util.Set<String> sampled = new java.util.TreeSet<>(v.queries().keySet());
    sampled.removeAll(java.util.Set.of(RunbookTables.Verification.REQUESTS_SERVED, RunbookTables.Verification.ERRORS_SERVED));
    String queries = String.join(", ", sampled);
    for (int i = 0; i < v.checks().size(); i++) {
      RunbookTables.MetricCheck c = v.checks().get(i);
      String at = "verification.checks[" + i + "]";
      if (c == null) fail(at, "empty; allowed: { name, query, on, comparison, threshold, unit, noData }");
      if (c.name().isBlank()) fail(at + ".name", "empty: the report and the messages could not say which check it is; allowed: a name, e.g. \"Blue error rate (%)\"");
      if (!names.add(c.name())) fail(at + ".name", "'" + c.name() + "' appears twice; allowed: a name no other check has");
      if (!sampled.contains(c.query())) {
        fail(at + ".query", (v.queries().containsKey(c.query()) ? "'" + c.query() + "' counts over the span to the switch, not a sample"
            : "unknown query '" + c.query() + "'") + "; allowed: " + queries);
      }
      if (c.threshold().isNaN() || c.threshold().isInfinite()) {
        fail(at + ".threshold", "'" + c.threshold() + "' is not a number a sample can be held against; allowed: a finite number, e.g. 1");
      }
    }
  }

  private void positive(String field, Budget budget, String example) {
    if (budget != null && (budget.limit().isZero() || budget.limit().isNegative())) {
      fail(field, "'" + budget.text() + "' is no time at all; allowed: a positive duration, e.g. " + example);
    }
  }

  private void fail(String field, String problem) {
    throw new PlanException(source, field, problem);
  }
}
