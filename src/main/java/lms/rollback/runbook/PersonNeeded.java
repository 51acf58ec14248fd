package lms.rollback.runbook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run waits for from a person before a step (the §1.2 data review, the DBA's §4.1 "pending transactions
 * paused"), and how it is recorded: a journal entry of {@code record} with {@code fields} and the person's answer to
 * {@code ask} in {@code answerField}. The terminal prints it as a command; Jenkins asks {@code submitters} with an input.
 */
public record PersonNeeded(String message, String task, String record, Map<String, String> fields, String answerField, String ask, List<String> submitters,
    long budgetSeconds) {

  public PersonNeeded {
    // in the order given: the command printed for a person lists them so, the same every time
    fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    submitters = List.copyOf(submitters);
  }

  /** The question for people who have not been told anything yet: {@link #saying} gives it its message. */
  public static PersonNeeded asking(lms.rollback.audit.Event record, Map<String, String> fields, String answerField, String ask, List<String> submitters) {
    return new PersonNeeded("", "", record.key(), fields, answerField, ask, submitters, 0);
  }

  /** The same, given {@code budget} of its own: how long the person has (Jenkins' prompt waits that long); else the step's budget. */
  public PersonNeeded within(java.time.Duration budget) {
    return new PersonNeeded(message, task, record, fields, answerField, ask, submitters, budget.toSeconds());
  }

  /**
   * The same question with what the person must do ({@code task}, what a Jenkins prompt shows), and for a terminal how to
   * record it: {@link #command} on {@code outDir}, then the same command again.
   */
  public PersonNeeded saying(String task, String outDir) {
    return new PersonNeeded(task + ", then records it: " + command(outDir) + "; and runs this command again", task, record, fields, answerField, ask,
        submitters, budgetSeconds);
  }

  /** The terminal's way to answer: one audit record. */
  public String command(String outDir) {
    var c = lms.rollback.core.PrintedCommand.of("audit record").option("--type", record);
    fields.forEach((k, v) -> c.option("--field", k + "=" + v));
    return c.optionAsked("--field", answerField, ask.endsWith("?") ? ask : ask + ":").optionTheUser("--actor").option("--out-dir", java.nio.file.Path.of(outDir).toAbsolutePath())
        .toString();
  }

  public Map<String, Object> asData() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message", message);
    m.put("task", task);
    m.put("record", record);
    m.put("fields", fields);
    m.put("answerField", answerField);
    m.put("ask", ask);
    m.put("submitters", submitters);
    if (budgetSeconds > 0) m.put("budgetSeconds", budgetSeconds);
    return m;
  }
}
