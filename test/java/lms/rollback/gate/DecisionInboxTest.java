package lms.rollback.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.RouteTable;
import lms.rollback.testing.Cli;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine waiting at its gate in its own process (lmsRollback's engine branch) takes the answers the build's input
 * prompts hand it, each proven by the build's key: the deciding answer is journaled under the decider's name and the run
 * goes on to the switch in the same process; an answer anyone else wrote into the folder is refused and never recorded.
 */
class DecisionInboxTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  @TempDir Path out;

  private List<String> rollback(Path kubeconfig, String... more) {
    List<String> args = new ArrayList<>(List.of("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "MAN-001", "--kubeconfig",
        kubeconfig.toString(), "--out-dir", out.resolve("build-41").toString(), "--cluster-only", "--lock-wait", "5s", "--actor", "dev.smith",
        "--reason", "error rate 3% since the 02:00 release", "-o", "json"));
    args.addAll(List.of(more));
    return args;
  }

  static String answer(String key, String n, String by, List<String> groups) throws Exception {
    ObjectNode d = JSON.createObjectNode();
    d.put("n", n).put("trigger", "MAN-001").put("decision", "approve").put("by", by);
    groups.forEach(d.putArray("groups")::add);
    d.put("reason", "confirmed on the error dashboard").put("level", "0").put("database", "false").put("requestedBy", "dev.smith");
    d.put("mac", HexFormat.of().formatHex(DecisionInbox.mac(HexFormat.of().parseHex(key), DecisionInbox.canonical(d))));
    return JSON.writeValueAsString(d);
  }

  private static JsonNode awaitFile(Path file, LmsctlProcess engine) throws Exception {
    long until = System.nanoTime() + 60_000_000_000L;
    while (!Files.exists(file)) {
      if (System.nanoTime() > until) throw new AssertionError(file + " never came; the engine said: " + engine);
      Thread.sleep(50);
    }
    return JSON.readTree(file.toFile());
  }

  @Test
  void theWaitingEngineRecordsTheBuildsAnswerAndSwitchesButRefusesAnAnswerTheBuildDidNotWrite() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Path inbox = out.resolve("build-41").resolve("decisions");
      // Given the Preflight's call: the run at its gate, the Release Commander asked
      assertEquals(5, LmsctlProcess.run(Map.of(), rollback(kubeconfig, "--through", "decision").toArray(String[]::new)).exit());
      // and the engine's one process waiting there for this build's answers
      LmsctlProcess engine = LmsctlProcess.start(Map.of(DecisionInbox.KEY_VARIABLE, KEY), rollback(kubeconfig, "--decisions-from", inbox.toString()));
      assertEquals("open", awaitFile(inbox.resolve(DecisionInbox.STATE_FILE), engine).path("status").asText());

      // When someone who can write the workspace drops an approval the build did not write (another key)
      Files.writeString(inbox.resolve("0001.json"), answer("ff".repeat(32), "0001", "rc.jones", List.of("lms-release-commanders")));
      JsonNode forged = awaitFile(inbox.resolve("0001.answer.json"), engine);

      // Then it is refused, not recorded, and the gate stays open
      assertEquals(5, forged.path("exitCode").asInt(), forged.toString());
      assertTrue(forged.path("reason").asText().contains("not written by the build"), forged.toString());
      assertEquals("open", forged.path("gate").path("status").asText());
      assertFalse(Journal.reading(out.resolve("build-41").resolve(Journal.FILE_NAME)).read().stream().anyMatch(e -> e.type().equals("gate.decision")));

      // When the build hands the Release Commander's approval
      Files.writeString(inbox.resolve("0002.json"), answer(KEY, "0002", "rc.jones", List.of("lms-release-commanders")));
      JsonNode approved = awaitFile(inbox.resolve("0002.answer.json"), engine);
      Cli.Run run = engine.await();

      // Then the same process records it under the decider's name and carries the run to its end: no second process
      assertEquals(0, approved.path("exitCode").asInt(), approved.toString());
      assertEquals("approved", approved.path("gate").path("status").asText(), approved.toString());
      assertEquals(0, run.exit(), run.out() + run.err());
      var decision = Journal.reading(out.resolve("build-41").resolve(Journal.FILE_NAME)).read().stream().filter(e -> e.type().equals("gate.decision"))
          .toList();
      assertEquals(1, decision.size());
      assertEquals("rc.jones", decision.get(0).actor(), "journaled by the decider");
      assertTrue(RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env), "traffic on Blue");
      assertEquals(0, sandbox.deployment("lms-green").getSpec().getReplicas());
      assertEquals("approved", JSON.readTree(inbox.resolve(DecisionInbox.STATE_FILE).toFile()).path("status").asText());
    }
  }

  @Test
  void anEngineWithoutTheBuildsKeyRefusesToWaitForAnswers() throws Exception {
    Files.writeString(out.resolve("none.yaml"), "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n"
        + "contexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {}}]\n");
    Cli.Run r = Cli.lmsctl("rollback", "--scenario", "B", "--env", "production", "--trigger", "MAN-001", "--requested-by", "dev.smith",
        "--reason", "error rate 3% since the release", "--cluster-only", "--kubeconfig", out.resolve("none.yaml").toString(),
        "--out-dir", out.resolve("b").toString(), "--decisions-from", out.resolve("b/decisions").toString());
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains(DecisionInbox.KEY_VARIABLE), r.err());
    assertFalse(Files.exists(out.resolve("b").resolve(Journal.FILE_NAME)), "nothing was written");
  }
}
