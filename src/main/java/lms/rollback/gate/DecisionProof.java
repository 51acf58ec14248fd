package lms.rollback.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.plan.DecisionSignatures;
import lms.rollback.plan.Plan;

/**
 * A journaled decision checked again where it is counted (#38): the hash chain proves the order of the entries, not who
 * wrote them — anyone who can write the run's folder can append an approval and recompute the chain. So every approval
 * or rejection the gate counts, recorded in this call or read back from a journal (continued from another build or not),
 * is held again to the plan: made for this run and its environment, by someone holding the authority of its prompt, and —
 * on an environment of gate.signatures.requiredOn — signed by a key the allowed signers list for its decider, over
 * exactly what the entry says. A decision that fails is not skipped silently: the run is refused, naming it.
 */
public final class DecisionProof {
  private DecisionProof() {}

  /**
   * Refused (exit 5) unless the decision of {@code entry} is proven under {@code plan} for the run {@code start} (null:
   * no run has started; the decision is then held to the plan's rules alone), as {@code gate} says who decides.
   */
  public static void require(Plan plan, GatePlan gate, Journal.Entry entry, RunLog.Start start) {
    String problem = problem(plan, gate, entry, start);
    if (problem != null) {
      throw new NotAuthorizedException(describe(plan, entry) + " does not count: " + problem + "; nothing was changed (record the decision "
          + "again with lmsctl gate record, or start again with another --out-dir)");
    }
  }

  /** Names a decision entry for a person: "the approval of MAN-001 (level 0) by rc.jones, journal entry 14 at …". */
  public static String describe(Plan plan, Journal.Entry e) {
    JsonNode d = e.data();
    String kind = switch (d.path("decision").asText()) {
      case "approve" -> "approval";
      case "reject" -> "rejection";
      default -> d.path("decision").asText() + " decision";
    };
    String prompt = d.path("database").asBoolean(false) ? "database authorization" : "level " + d.path("level").asInt();
    return "the " + kind + " of " + d.path("trigger").asText() + " (" + prompt + ") by " + printable(d.path("by").asText()) + ", journal entry "
        + e.seq() + " at " + plan.time().stamp(e.ts());
  }

  /** Why the decision does not count, or null when it is proven as the plan asks. */
  static String problem(Plan plan, GatePlan gate, Journal.Entry e, RunLog.Start start) {
    JsonNode d = e.data();
    String by = d.path("by").asText("");
    if (Identity.normalize(by) == null) return "it names nobody as its decider";
    String lookalike = Identity.lookalike(by);
    if (lookalike != null) return "its decider's id " + lookalike;
    String runId = start == null ? null : start.runId();
    String recordedFor = d.path("runId").asText(null);
    if (recordedFor != null && runId != null && !recordedFor.equals(runId)) {
      return "it was recorded for run " + recordedFor + ", not this run (" + runId + ")";
    }
    String environment = start != null ? start.environment() : d.path("environment").asText(null);
    String recordedOn = d.path("environment").asText(null);
    if (recordedOn != null && environment != null && !recordedOn.equals(environment)) {
      return "it was recorded for environment '" + recordedOn + "', not '" + environment + "'";
    }
    String authority = authority(plan, gate, d);
    if (authority != null) return authority;
    return signature(plan.gate().signatures(), d, runId, environment);
  }

  /** Whether the decider held the authority of the prompt decided, by their id or the groups journaled with the decision. */
  private static String authority(Plan plan, GatePlan gate, JsonNode d) {
    String by = d.path("by").asText();
    List<String> groups = new ArrayList<>();
    d.path("groups").forEach(g -> groups.add(g.asText()));
    if (d.path("database").asBoolean(false)) {
      GatePlan.TwoPersonRule rule = new Authority(plan).twoPersonRule();
      for (String role : rule.roles()) if (Authority.holds(by, groups, rule.holders().get(role))) return null;
      return printable(by) + " holds neither " + String.join(" nor ", rule.titles()) + " (groups journaled: " + groups + ")";
    }
    int level = d.path("level").asInt(-1);
    if (level < 0 || level >= gate.levels().size()) {
      return "level " + level + " does not exist for " + gate.trigger() + " (allowed: 0-" + (gate.levels().size() - 1) + ")";
    }
    if (Authority.holds(by, groups, gate.submittersAt(level))) return null;
    if (d.path("override").asBoolean(false) && plan.gate().allowAdministratorOverride()) return null;
    return printable(by) + " may not decide " + gate.trigger() + " at level " + level + " (groups journaled: " + groups + "); who may: "
        + String.join(", ", gate.submittersAt(level));
  }

  /**
   * The decision's signature verified again over what the entry says, for this run; required on the plan's
   * requiredOn environments (where the environment is unknown, as before a run, wherever the plan requires any).
   */
  private static String signature(DecisionSignatures policy, JsonNode d, String runId, String environment) {
    boolean required = environment != null ? policy.requiredOn(environment) : !policy.requiredOn().isEmpty();
    JsonNode sig = d.path("signature");
    if (!sig.isObject() || !sig.path("armored").isTextual()) {
      return required ? "it is not signed, and decisions on " + (environment == null ? String.join(", ", policy.requiredOn()) : environment)
          + " must be (the plan's gate.signatures.requiredOn); a signature is only made by lmsctl gate record --sign-with/--signature" : null;
    }
    if (runId == null) return "it is signed, but no run has started that it could be over";
    String prompt = d.path("database").asBoolean(false) ? "database" : "level " + d.path("level").asInt();
    String statement = DecisionSignature.statement(runId, d.path("trigger").asText(), prompt, d.path("decision").asText(), d.path("by").asText(),
        d.path("reason").asText(""));
    java.nio.file.Path signers = policy.allowedSigners() == null ? null : java.nio.file.Path.of(policy.allowedSigners());
    try {
      DecisionSignature.Verified v = DecisionSignature.verified(signers, policy.namespace(), d.path("by").asText(), runId, statement,
          sig.path("armored").asText());
      String journaledKey = sig.path("key").asText(null);
      if (journaledKey != null && !journaledKey.equals(v.keyType() + " " + v.fingerprint())) {
        return "its journaled key (" + journaledKey + ") is not the one that signed it (" + v.keyType() + " " + v.fingerprint() + ")";
      }
      return null;
    } catch (NotAuthorizedException x) {
      // the signers' file's own refusals end as a recording call's do: here nothing is recorded, the run is refused
      return x.getMessage().replaceAll("[.;] [Nn]othing was recorded$", "");
    }
  }

  private static String printable(String s) {
    return s.replaceAll("\\p{C}", "?");
  }
}
