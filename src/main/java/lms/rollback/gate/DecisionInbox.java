package lms.rollback.gate;

import lms.rollback.audit.Login;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Plan;

/**
 * Where a Jenkins build hands the engine's run, already waiting at its gate in this process, the answers its input
 * prompts took — so nothing but this process stands between the deciding click and the switch (no JVM start, no
 * stage transition: #35). The folder holds {@code gate.json}, the gate's state as this process last saw it (written
 * whole at every change), and per answer {@code N.json}, written by the build, and {@code N.answer.json}, written here:
 * what {@code lmsctl gate record -o json} prints for the same decision. Each answer carries an HMAC-SHA256 under the
 * build's own key ({@link #KEY_VARIABLE}, held by the build's program and this process's environment, never on disk):
 * a file anyone else wrote in the workspace is answered as refused and never recorded. A counted answer is checked
 * by {@link DecisionRecorder} exactly as {@code gate record} checks it (authority, requester, signature), journaled
 * under the decider's name.
 */
public final class DecisionInbox {

  /** The build's key for its answers, as hex: an environment variable of this process. */
  public static final String KEY_VARIABLE = "LMS_DECISIONS_KEY";
  public static final String STATE_FILE = "gate.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final byte[] key;
  private final Function<String, DecisionRecorder> recorderFor;
  private final java.util.Set<String> answered = new java.util.HashSet<>();

  /** {@code recorderFor}: the recorder that journals a decision under the decider's name. */
  public DecisionInbox(Path dir, String hexKey, Function<String, DecisionRecorder> recorderFor) {
    this.dir = dir;
    this.key = key(hexKey);
    this.recorderFor = recorderFor;
  }

  /** Refused (exit 2) when {@code hex} is not a key that proves anything. */
  public static void requireKey(String hex) {
    key(hex);
  }

  /** The key as bytes; refused (exit 2) when it is missing or too short to prove anything. */
  static byte[] key(String hex) {
    byte[] k;
    try {
      k = hex == null ? new byte[0] : HexFormat.of().parseHex(hex.strip());
    } catch (IllegalArgumentException e) {
      k = new byte[0];
    }
    if (k.length < 16) {
      throw new LmsException(ExitCode.INVALID_INPUT, KEY_VARIABLE + ": --decisions-from needs the build's key for its answers in this "
          + "variable (hex, at least 32 digits; lmsRollback sets it); nothing was done");
    }
    return k;
  }

  public Path dir() {
    return dir;
  }

  /** Writes the gate's state where the build reads it (whole, then renamed). */
  public void publish(GateRun.State state) {
    write(dir.resolve(STATE_FILE), state.asData());
  }

  /**
   * Records every answer the build left since the last look, in the order it numbered them, and answers each;
   * {@code after} gives the gate's state once an answer was recorded (the next prompt, or how it closed).
   */
  public void take(java.util.function.Supplier<GateRun.State> after) {
    for (Path file : pending()) {
      String name = file.getFileName().toString();
      JsonNode d;
      try {
        d = JSON.readTree(file.toFile());
      } catch (IOException e) {
        continue; // still being written: read again at the next look
      }
      Map<String, Object> answer = new LinkedHashMap<>();
      try {
        verify(d);
        String by = d.path("by").asText();
        List<String> groups = new ArrayList<>();
        d.path("groups").forEach(g -> groups.add(g.asText()));
        DecisionRecorder.Decision decision = new DecisionRecorder.Decision(d.path("trigger").asText(), kind(d.path("decision").asText()), by,
            groups, d.path("reason").asText(""), d.path("level").asInt(0), d.path("requestedBy").asText(null), d.path("database").asBoolean(false), false);
        DecisionRecorder.Outcome outcome = recorderFor.apply(by).record(decision);
        answer.put("exitCode", ExitCode.OK);
        answer.putAll(outcome.asData());
        answer.put("recordedBy", by);
      } catch (LmsException e) {
        answer.put("exitCode", e.exitCode());
        answer.put("reason", e.getMessage());
      }
      answer.put("gate", after.get().asData());
      write(dir.resolve(name.substring(0, name.length() - ".json".length()) + ".answer.json"), answer);
      answered.add(name);
    }
  }

  private List<Path> pending() {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return files;
    try (DirectoryStream<Path> list = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : list) {
        String name = f.getFileName().toString();
        if (name.equals(STATE_FILE) || name.endsWith(".answer.json") || answered.contains(name)) continue;
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) continue;
        if (Files.exists(dir.resolve(name.replace(".json", ".answer.json")))) {
          answered.add(name);
          continue;
        }
        files.add(f);
      }
    } catch (IOException e) {
      return files;
    }
    files.sort(java.util.Comparator.comparing(f -> f.getFileName().toString()));
    return files;
  }

  private static DecisionRecorder.Kind kind(String k) {
    try {
      return DecisionRecorder.Kind.valueOf(k);
    } catch (IllegalArgumentException e) {
      throw new LmsException(ExitCode.INVALID_INPUT, "decision: '" + k + "' is not a decision; allowed: approve, reject, timeout");
    }
  }

  /** Whether {@code d}'s mac is the one {@code hexKey} gives over exactly what it says. */
  public static boolean proven(String hexKey, JsonNode d) {
    byte[] got;
    try {
      got = HexFormat.of().parseHex(d.path("mac").asText(""));
    } catch (IllegalArgumentException e) {
      got = new byte[0];
    }
    return MessageDigest.isEqual(mac(key(hexKey), canonical(d)), got);
  }

  /** Refused (exit 5) unless the answer's mac is this build's, over exactly what it says. */
  private void verify(JsonNode d) {
    if (!proven(HexFormat.of().formatHex(key), d)) {
      throw new LmsException(ExitCode.NOT_AUTHORIZED, "this answer was not written by the build that waits for it (its mac does not verify "
          + "under the build's key): not recorded");
    }
  }

  /** What the mac covers: every field of the answer, each as its length and text, in a fixed order (lmsRollbackGate's too). */
  public static String canonical(JsonNode d) {
    StringBuilder s = new StringBuilder();
    List<String> groups = new ArrayList<>();
    d.path("groups").forEach(g -> groups.add(g.asText()));
    for (String v : List.of(d.path("n").asText(""), d.path("trigger").asText(""), d.path("decision").asText(""), d.path("by").asText(""),
        String.join(",", groups), d.path("reason").asText(""), d.path("level").asText(""), d.path("database").asText(""),
        d.path("requestedBy").asText(""))) {
      s.append(v.length()).append(':').append(v).append(';');
    }
    return s.toString();
  }

  public static byte[] mac(byte[] key, String text) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static void write(Path file, Object data) {
    try {
      Files.createDirectories(file.getParent());
      Path part = file.resolveSibling("." + file.getFileName() + ".part");
      Files.write(part, JSON.writeValueAsBytes(data));
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** A journal under the decider's name on the run's file: the decision's entry says who decided, as gate record's does. */
  public static Function<String, DecisionRecorder> recorders(Plan plan, Path outDir, DecisionRecorder.Signing signing) {
    // the answer's mac proves the build wrote it, and the build's input let only Jenkins-authenticated {@code by} answer
    return by -> new DecisionRecorder(plan, new Journal(outDir, by)).signing(signing).login(Login.current().answeredInJenkinsBy(by));
  }
}
