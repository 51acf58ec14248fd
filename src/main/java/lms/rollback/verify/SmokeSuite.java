package lms.rollback.verify;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lms.rollback.audit.Journal;
import lms.rollback.plan.RunbookTables.Booking;
import lms.rollback.plan.RunbookTables.Cleanup;
import lms.rollback.plan.RunbookTables.SmokeCheck;

/**
 * §4.2 step 5: the smoke checks of the plan as HTTP requests, each judged on its status and its answer. Credentials
 * come from environment variables named in the plan (${env:NAME}); a missing one makes its check inconclusive, and no
 * header or body value is ever printed or journaled. Production is left as it was: a check is sent as the plan wrote
 * it (read-only, the plan says why), unless it has a booking, which is made as the plan's test account and undone by
 * its cleanup.
 */
public final class SmokeSuite {

  public static final String SUITE = "smoke";
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  private final Journal journal;
  private final Map<String, String> env;
  private final Duration timeout;

  public SmokeSuite(Journal journal, Map<String, String> env, Duration timeout) {
    this.journal = journal;
    this.env = env;
    this.timeout = timeout;
  }

  /** The ${env:NAME} variables the checks need that {@code env} does not set, in order, once each. */
  public static List<String> missingVariables(List<SmokeCheck> checks, Map<String, String> env) {
    Set<String> missing = new LinkedHashSet<>();
    for (SmokeCheck c : checks) {
      List<String> texts = new ArrayList<>(headers(c).values());
      if (c.body() != null) texts.add(c.body());
      for (String t : texts) {
        Matcher m = ENV.matcher(t);
        while (m.find()) {
          String value = env.get(m.group(1));
          if (value == null || value.isEmpty()) missing.add(m.group(1));
        }
      }
    }
    return List.copyOf(missing);
  }

  /** The headers a check is sent with: a booking's are the test account's where it names them. */
  private static Map<String, String> headers(SmokeCheck c) {
    Map<String, String> headers = new LinkedHashMap<>(c.headers());
    if (c.booking() != null) headers.putAll(c.booking().testAccount().headers());
    return headers;
  }

  public List<CheckResult> run(URI baseUrl, List<SmokeCheck> checks) {
    HttpProbe probe = new HttpProbe(timeout);
    List<CheckResult> results = new ArrayList<>();
    for (SmokeCheck c : checks) {
      results.add(Checks.journal(journal, SUITE, run(probe, baseUrl, c)));
    }
    return results;
  }

  /** What one request must answer: its status, the texts at some paths, and the presence of others. */
  private record Expectation(int status, Map<String, String> fields, List<String> present) {
    String text() {
      StringBuilder t = new StringBuilder("HTTP " + status);
      present.forEach(p -> t.append(", ").append(p).append(" present"));
      fields.forEach((k, v) -> t.append(", ").append(k).append("=").append(v));
      return t.toString();
    }

    /** Null when the answer is what was expected; else what it was instead, naming the field. */
    CheckResult failure(String name, HttpProbe.Answer a) {
      if (a.status() != status) return CheckResult.fail(name, "HTTP " + a.status(), text(), a.millis(), "");
      for (String p : present) {
        if (!a.has(p)) {
          return CheckResult.fail(name, "HTTP " + a.status() + ", no " + p, text(), a.millis(),
              "the answer has no field '" + p + "'" + (a.json() == null ? " (it is not JSON)" : ""));
        }
      }
      for (var f : fields.entrySet()) {
        String got = a.field(f.getKey());
        if (!f.getValue().equals(got)) {
          return CheckResult.fail(name, f.getKey() + "=" + got, text(), a.millis(),
              got == null ? "the answer has no field '" + f.getKey() + "'" : "unexpected answer");
        }
      }
      return null;
    }
  }

  private CheckResult run(HttpProbe probe, URI baseUrl, SmokeCheck c) {
    if (c.booking() != null) return book(probe, baseUrl, c, c.booking());
    String name = c.name() + " (" + c.method() + " " + c.path() + ")";
    Expectation expect = new Expectation(c.expectStatus(), c.expectFields(), c.expectPresent());
    Map<String, String> headers;
    String body;
    try {
      headers = fill(c.headers());
      body = c.body() == null ? null : fill(c.body());
    } catch (MissingVariable e) {
      return CheckResult.inconclusive(name, expect.text(), 0, e.getMessage() + " is not set");
    }
    try {
      HttpProbe.Answer a = probe.send(c.method(), baseUrl.resolve(c.path()), headers, body);
      CheckResult failure = expect.failure(name, a);
      return failure != null ? failure : CheckResult.pass(name, expect.text(), expect.text(), a.millis());
    } catch (IOException e) {
      return CheckResult.fail(name, null, expect.text(), timeout.toMillis(), "no answer: " + BlueVerifier.reason(e));
    }
  }

  /** The check made for real as the test account, then undone: a booking left behind fails the check and says so. */
  private CheckResult book(HttpProbe probe, URI baseUrl, SmokeCheck c, Booking b) {
    String method = b.method() != null ? b.method() : c.method();
    String account = b.testAccount().name();
    Cleanup cleanup = b.cleanup();
    String name = c.name() + " (" + method + " " + b.path() + " as test account " + account + ", undone by " + cleanup.method() + " "
        + cleanup.path() + ")";
    Expectation expect = new Expectation(b.expectStatus(), b.expectFields(), b.expectPresent());
    Map<String, String> headers;
    String body;
    try {
      headers = fill(headers(c));
      body = c.body() == null ? null : fill(c.body());
    } catch (MissingVariable e) {
      return CheckResult.inconclusive(name, expect.text(), 0, e.getMessage() + " is not set");
    }
    HttpProbe.Answer booked;
    try {
      booked = probe.send(method, baseUrl.resolve(b.path()), headers, body);
    } catch (IOException e) {
      return CheckResult.fail(name, null, expect.text(), timeout.toMillis(), "no answer: " + BlueVerifier.reason(e)
          + "; a booking may have been made as " + account + ": look for it and undo it");
    }
    CheckResult failure = expect.failure(name, booked);
    // a status outside 2xx stored nothing; anything else is undone, whatever else the answer says
    if (booked.status() / 100 != 2) return failure;
    String undone = undo(probe, baseUrl, cleanup, headers, booked);
    if (failure != null) {
      return new CheckResult(name, CheckResult.Status.fail, failure.measured(), failure.threshold(), failure.millis(),
          (failure.detail().isEmpty() ? "" : failure.detail() + "; ") + (undone == null ? "the booking was undone" : undone));
    }
    if (undone != null) return CheckResult.fail(name, expect.text(), expect.text(), booked.millis(), undone);
    return new CheckResult(name, CheckResult.Status.pass, expect.text(), expect.text(), booked.millis(),
        "booked as " + account + " and undone");
  }

  /** Null when the cleanup answered as the plan expects; else why the booking may still be there. */
  private String undo(HttpProbe probe, URI baseUrl, Cleanup cleanup, Map<String, String> headers, HttpProbe.Answer booked) {
    Matcher m = Cleanup.ANSWER_FIELD.matcher(cleanup.path());
    StringBuilder path = new StringBuilder();
    while (m.find()) {
      String value = booked.field(m.group(1));
      if (value == null) return "the booking's answer has no field '" + m.group(1) + "' for the cleanup: undo it by hand";
      m.appendReplacement(path, Matcher.quoteReplacement(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8)));
    }
    m.appendTail(path);
    String request = cleanup.method() + " " + path;
    try {
      HttpProbe.Answer a = probe.send(cleanup.method(), baseUrl.resolve(path.toString()), headers, null);
      if (a.status() != cleanup.expectStatus()) {
        return "the cleanup " + request + " answered HTTP " + a.status() + ", not " + cleanup.expectStatus() + ": undo the booking by hand";
      }
      return null;
    } catch (IOException e) {
      return "the cleanup " + request + " got no answer (" + BlueVerifier.reason(e) + "): undo the booking by hand";
    }
  }

  private static final class MissingVariable extends Exception {
    MissingVariable(String name) {
      super(name);
    }
  }

  private Map<String, String> fill(Map<String, String> templates) throws MissingVariable {
    Map<String, String> filled = new LinkedHashMap<>();
    for (var h : templates.entrySet()) filled.put(h.getKey(), fill(h.getValue()));
    return filled;
  }

  private String fill(String template) throws MissingVariable {
    Matcher m = ENV.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null || value.isEmpty()) throw new MissingVariable(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
