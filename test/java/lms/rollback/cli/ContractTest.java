package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import lms.rollback.testing.Cli;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ties the JSON the Jenkins steps read to the JSON lmsctl really prints: the pipeline tests' stand-in
 * answers with the files in test/resources/contract/, and here the real lmsctl, in the same
 * situation, must print every field those files hold, with the same kind of value.
 */
class ContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path out;

  private List<String> rollback(Sandbox sandbox, Path dir, String trigger, String... more) throws Exception {
    Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
    List<String> args = new ArrayList<>(List.of("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", trigger, "--kubeconfig",
        kubeconfig.toString(), "--out-dir", dir.toString(), "--lock-wait", "5s", "--requested-by", "dev.smith", "--reason",
        "error rate 3% for 20 minutes", "-o", "json", "--window", "90s"));
    args.addAll(List.of(more));
    return args;
  }

  private static JsonNode run(Map<String, String> env, List<String> args, int exit) throws Exception {
    Cli.Run r = LmsctlProcess.run(env, args.toArray(String[]::new));
    assertEquals(exit, r.exit(), r.out() + r.err());
    return JSON.readTree(r.out());
  }

  private static JsonNode record(Path dir, String decision, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("gate", "record", "--trigger", "MAN-001", "--level", "0", "--decision", decision, "--by", "rc.jones",
        "--groups", "lms-release-commanders", "--requested-by", "dev.smith", "--reason", "confirmed on the dashboard", "--out-dir", dir.toString(),
        "-o", "json"));
    args.addAll(List.of(more));
    Cli.Run r = Cli.lmsctl(args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.err());
    return JSON.readTree(r.out());
  }

  @Test
  void theGateAndTheRunPrintWhatTheStepsRead() throws Exception {
    Map<String, String> none = Map.of();
    // a paused run keeps the environment's lease: each run here has an environment of its own
    try (Sandbox sandbox = Sandbox.start(out.resolve("rejected"))) {
      Path rejected = out.resolve("rejected");
      List<String> toReject = rollback(sandbox, rejected, "MAN-001", "--cluster-only", "--through", "decision");
      run(none, toReject, 5);
      matches("gate-record-rejected", record(rejected, "reject"));
      matches("rollback-rejected", run(none, toReject, 5));
    }
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path dir = out.resolve("gated");
      matches("rollback-dry-run", run(none, rollback(sandbox, out.resolve("dry"), "MAN-001", "--cluster-only", "--dry-run"), 0));
      List<String> toDecision = rollback(sandbox, dir, "MAN-001", "--cluster-only", "--through", "decision");
      JsonNode awaiting = run(none, toDecision, 5);
      matches("rollback-awaiting", awaiting);
      // the input page's text for the person deciding (#35): what, where, why and what was measured, who asked, what happens, until when
      List<String> page = new ArrayList<>();
      awaiting.path("gate").path("prompt").path("page").forEach(l -> page.add(l.asText()));
      String shown = String.join("\n", page);
      assertTrue(page.get(0).startsWith("Roll back LMS " + Sandbox.ENV + " — scenario B: "), shown);
      assertTrue(page.get(1).startsWith("Trigger: MAN-001 — ") && page.get(1).contains("Measured: "), shown);
      assertTrue(page.get(2).startsWith("Requested by dev.smith: ") && page.get(2).contains("(the requester may not approve)"), shown);
      assertTrue(page.get(3).startsWith("On approval: Announce rollback → Execute traffic switch → "), shown);
      assertTrue(page.get(4).startsWith("Release Commander decides"), shown);
      assertTrue(page.get(5).matches("Decide by .*\\(.* left\\); then it escalates to DevOps Lead\\."), shown);
      matches("gate-record-approved", record(dir, "approve"));
      matches("rollback-paused", run(none, toDecision, 0));
      // the call that carries the run from its decision to its end, as lmsRollback's engine branch makes it
      List<String> toEnd = new ArrayList<>(toDecision.subList(0, toDecision.indexOf("--through")));
      JsonNode completed = run(none, toEnd, 0);
      matches("rollback-completed", completed);
      // and the file it left per step, which the stages beside it wait for: each the step's element of "steps"
      for (JsonNode step : completed.path("steps")) {
        JsonNode file = JSON.readTree(dir.resolve("steps").resolve(step.path("action").asText() + ".json").toFile());
        assertEquals(step, file, "steps/" + step.path("action").asText() + ".json");
      }
      assertEquals(5, completed.path("steps").size());

      Cli.Run open = Cli.lmsctl("gate", "record", "--trigger", "MAN-004", "--decision", "approve", "--by", "rc.jones", "--groups",
          "lms-release-commanders", "--requested-by", "dev.smith", "--reason", "corrupt balances confirmed", "--scenario", "C", "--out-dir",
          out.resolve("database").toString(), "-o", "json");
      matches("gate-record-open", JSON.readTree(open.out()));
      matches("gate-record-open", JSON.readTree(open.out()).path("gate"), "gate", "the state `lmsctl gate status` prints");
    }
  }

  @Test
  void aSecondBuildAfterTheRollbackPrintsWhatTheStepsRead() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path dir = out.resolve("done");
      lms.rollback.testing.Approvals.byReleaseCommander(dir, "AUTO-001"); // named on --cluster-only: a manual request
      run(Map.of(), rollback(sandbox, dir, "AUTO-001", "--cluster-only"), 0);
      // the next build's first call, as lmsRollback's Preflight stage makes it
      JsonNode again = run(Map.of(), rollback(sandbox, dir, "AUTO-001", "--cluster-only", "--through", "decision"), 0);
      matches("rollback-already-done", again);
      assertEquals("already-done", again.path("state").asText());
      assertEquals(0, again.path("plan").size(), "no stage to run");
    }
  }

  @Test
  void aRunThatStopsOrIsRefusedPrintsWhatTheStepsRead() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Map<String, String> smoke = new HashMap<>(Map.of("LMS_SMOKE_USER", "u", "LMS_SMOKE_PASSWORD", "p", "LMS_SMOKE_TOKEN", "t"));
      sandbox.cluster.startLms(sandbox.env);
      String prometheus = sandbox.cluster.metrics().url();
      // refused by its preflight: the smoke tests' credentials are not set (Prometheus down no longer refuses: #36)
      matches("rollback-refused", run(Map.of(), rollback(sandbox, out.resolve("refused"), "AUTO-001", "--prometheus", prometheus), 2));
      // the refused run ended: its lease is free for the next
      JsonNode stopped = run(smoke, rollback(sandbox, out.resolve("stopped"), "AUTO-001", "--prometheus", prometheus, "--base-url",
          "http://127.0.0.1:1/", "--through", "verify-blue"), 4);
      matches("rollback-stopped", stopped);
      // the failed step's file says so, with the reason its stage fails with; no file for a step that never ran
      JsonNode failed = JSON.readTree(out.resolve("stopped/steps/verify-blue.json").toFile());
      assertEquals(false, failed.path("ok").asBoolean(true));
      assertEquals(stopped.path("reason").asText(), failed.path("detail").asText());
      assertTrue(java.nio.file.Files.notExists(out.resolve("stopped/steps/stop-green.json")));
    }
  }

  @Test
  void aWatchWhoseAutomaticTriggerHoldsPrintsWhatTheStepReads() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      // the sandbox's Prometheus has Green erroring: AUTO-001 holds at once; without smoke credentials the run is refused
      sandbox.cluster.startLms(sandbox.env);
      List<String> args = List.of("watch", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--out-dir", out.resolve("watched").toString(),
          "--prometheus", sandbox.cluster.metrics().url(), "--for", "5s", "--interval", "1s", "--lock-wait", "5s", "-o", "json");
      matches("watch-rolled-back", run(Map.of(), args, 2));
    }
  }

  @Test
  void aRunWaitingForItsDataReviewPrintsWhatTheStepsRead() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      // Green deployed 6 h ago: §1.2 adds the data review, which waits for a person
      sandbox.store().apps().deployments().inNamespace(sandbox.env.namespace()).withName(sandbox.env.green().deployment()).edit(d -> {
        d.getMetadata().getAnnotations().put(lms.rollback.cluster.ClusterStatus.DEPLOYED_AT, java.time.Instant.now().minus(java.time.Duration.ofHours(6)).toString());
        return d;
      });
      lms.rollback.testing.Approvals.byReleaseCommander(out.resolve("review"), "AUTO-001");
      matches("rollback-awaiting-review", run(Map.of(), rollback(sandbox, out.resolve("review"), "AUTO-001", "--cluster-only", "--through", "data-review"), 5));
    }
  }

  @Test
  void theReadinessCheckPrintsWhatTheStepReads() throws Exception {
    Cli.Run r = Cli.lmsctl("readiness", "--release", "3.0.0", "--records", out.toString(), "-o", "json");
    assertEquals(4, r.exit(), r.out() + r.err());
    matches("readiness-not-ready", JSON.readTree(r.out()));
    Cli.Run due = Cli.lmsctl("readiness", "--due-in-days", "31", "--records", out.toString(), "-o", "json");
    assertEquals(4, due.exit(), due.out() + due.err());
    matches("readiness-due", JSON.readTree(due.out()));
  }

  @Test
  void thePlanPrintsWhatTheRehearsalStepReads() throws Exception {
    Cli.Run r = Cli.lmsctl("plan", "-o", "json");
    assertEquals(0, r.exit(), r.err());
    matches("plan", JSON.readTree(r.out()));
  }

  @Test
  void tickingAFollowUpPrintsWhatTheStepReads() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path dir = out.resolve("followed");
      lms.rollback.testing.Approvals.byReleaseCommander(dir, "AUTO-001"); // named on --cluster-only: a manual request
      run(Map.of(), rollback(sandbox, dir, "AUTO-001", "--cluster-only"), 0);
      Cli.Run done = Cli.lmsctl("followups", "done", "--action", "create incident ticket", "--note", "INC-2041", "--actor", "rc.jones", "--out-dir",
          dir.toString(), "-o", "json");
      assertEquals(0, done.exit(), done.err());
      matches("followups-done", JSON.readTree(done.out()));
      Cli.Run listed = Cli.lmsctl("followups", "--out-dir", dir.toString(), "-o", "json");
      assertEquals(0, listed.exit(), listed.err());
      matches("followups-list", JSON.readTree(listed.out()));
    }
  }

  private static void matches(String golden, JsonNode actual) throws Exception {
    matches(golden, actual, null, golden);
  }

  private static void matches(String golden, JsonNode actual, String field, String what) throws Exception {
    try (InputStream in = ContractTest.class.getResourceAsStream("/contract/" + golden + ".json")) {
      JsonNode expected = JSON.readTree(in);
      if (field != null) expected = expected.path(field);
      List<String> problems = new ArrayList<>();
      compare(expected, actual, "$", problems);
      assertTrue(problems.isEmpty(), what + ": lmsctl no longer prints what the steps read: " + problems + "\nprinted: " + actual);
    }
  }

  /** Every field of {@code expected} is in {@code actual} with the same kind of value (a null matches any). */
  private static void compare(JsonNode expected, JsonNode actual, String path, List<String> problems) {
    if (expected.isNull()) return;
    if (actual == null || actual.isMissingNode()) {
      problems.add(path + " missing");
      return;
    }
    if (expected.getNodeType() != actual.getNodeType() && !(expected.isNumber() && actual.isNumber())) {
      problems.add(path + " is " + actual.getNodeType() + ", not " + expected.getNodeType());
      return;
    }
    if (expected.isObject()) {
      for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        compare(expected.get(name), actual.path(name), path + "." + name, problems);
      }
    } else if (expected.isArray() && !expected.isEmpty() && !actual.isEmpty()) {
      compare(expected.get(0), actual.get(0), path + "[0]", problems);
    }
  }
}
