package lms.rollback.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.LmsException;
import lms.rollback.core.SecretMasker;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every verb shares: the plan, the output options, and a journal in which the verb's start
 * and end — with its exit code, or the reason it failed — are written whatever happens.
 */
abstract class Verb implements Callable<Integer> {

  @Mixin PlanOptions plan;
  @Mixin OutputOptions output;
  @Spec CommandSpec spec;

  /** The verb's data for stdout (JSON) and its lines for a person (text), with its exit code. */
  record Outcome(int exitCode, Object data, Iterable<String> text) {}

  abstract Outcome execute(Journal journal);

  /**
   * Every argument is text: a byte that is no UTF-8 character reaches Java as U+FFFD, and `dba.lee\xff` would be a
   * second person beside dba.lee (one DBA satisfying the two-person rule twice, #38). Refused before anything is read or written.
   */
  private void requireText() {
    var parsed = spec.commandLine().getParseResult();
    for (var option : parsed.matchedOptions()) {
      for (String value : option.originalStringValues()) {
        if (value.indexOf('\uFFFD') >= 0) {
          throw new lms.rollback.core.LmsException(lms.rollback.core.ExitCode.INVALID_INPUT, option.longestName() + ": '" + value.replace('\uFFFD', '?')
              + "' is not valid UTF-8 text (a byte that is no character, shown as ?); allowed: UTF-8 text. Nothing was done"
              + " (under a C/POSIX locale Java cannot read any non-ASCII byte: run with LANG=C.UTF-8)");
        }
      }
    }
    for (String name : new String[] {"LMS_ACTOR"}) {
      String value = System.getenv(name);
      if (value != null && value.indexOf('\uFFFD') >= 0) {
        throw new lms.rollback.core.LmsException(lms.rollback.core.ExitCode.INVALID_INPUT, "$" + name + ": not valid UTF-8 text; allowed: UTF-8 text. Nothing was done");
      }
    }
  }

  /**
   * The most characters {@code option} may carry, for a text that travels further than the journal (a reason in every
   * notice to the deciders, a note on every report): a 120 KB one made a notice too large for a webhook (#38).
   */
  int maxChars(String option) {
    return Integer.MAX_VALUE;
  }

  private void requireBounded() {
    for (var option : spec.commandLine().getParseResult().matchedOptions()) {
      int max = maxChars(option.longestName());
      for (String value : option.originalStringValues()) {
        if (value.length() > max) {
          throw new lms.rollback.core.LmsException(lms.rollback.core.ExitCode.INVALID_INPUT, option.longestName() + ": " + value.length()
              + " characters; allowed: at most " + max + " (link to a longer text). Nothing was done");
        }
      }
    }
  }

  /** Before the verb's journal is opened (its first entry written): a run carried over from another folder, say. */
  void beforeJournal() {}

  @Override
  public Integer call() {
    requireText();
    requireBounded();
    plan.environment();
    beforeJournal();
    Journal journal = new Journal(output.outDir(), output.actor());
    String verb = spec.qualifiedName().replaceFirst("^lmsctl ", "");
    journal.append(Event.VERB_START, Map.of("verb", verb, "environment", plan.environmentName(),
        "args", String.join(" ", spec.commandLine().getParseResult().originalArgs())));
    long start = System.nanoTime();
    try {
      Outcome outcome = execute(journal);
      journal.append(Event.VERB_END, Map.of("verb", verb, "exitCode", outcome.exitCode(), "millis", Duration.ofNanos(System.nanoTime() - start).toMillis()));
      print(outcome);
      return outcome.exitCode();
    } catch (LmsException e) {
      journal.append(Event.VERB_FAILED, Map.of("verb", verb, "exitCode", e.exitCode(), "reason", String.valueOf(e.getMessage()),
          "millis", Duration.ofNanos(System.nanoTime() - start).toMillis()));
      throw e;
    } catch (RuntimeException e) {
      // whatever failed (an API error the engine did not expect, say) is in the journal too
      journal.append(Event.VERB_FAILED, Map.of("verb", verb, "exitCode", e instanceof io.fabric8.kubernetes.client.KubernetesClientException
          ? lms.rollback.core.ExitCode.CLUSTER_STATE : lms.rollback.core.ExitCode.OTHER, "reason", e.getClass().getSimpleName() + ": " + e.getMessage(),
          "millis", Duration.ofNanos(System.nanoTime() - start).toMillis()));
      throw e;
    }
  }

  private void print(Outcome outcome) {
    PrintWriter out = spec.commandLine().getOut();
    // stdout goes to consoles and build logs: masked as the journal is
    if (output.json()) {
      out.println(Journal.json(SecretMasker.mask(Journal.tree(outcome.data()))));
    } else {
      outcome.text().forEach(line -> out.println(SecretMasker.mask(line)));
    }
    out.flush();
  }
}
