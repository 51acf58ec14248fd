package lms.rollback.verify;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lms.rollback.audit.Journal;
import lms.rollback.plan.Runbook.SmokeCheck;

/**
 * §4.2 step 5: the smoke checks of the plan as HTTP requests. Credentials come from environment
 * variables named in the plan (${env:NAME}); a missing one makes its check inconclusive, and no
 * header or body value is ever printed or journaled.
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
    java.util.Set<String> missing = new java.util.LinkedHashSet<>();
    for (SmokeCheck c : checks) {
      List<String> texts = new ArrayList<>(c.headers().values());
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

  public List<CheckResult> run(URI baseUrl, List<SmokeCheck> checks) {
    HttpProbe probe = new HttpProbe(timeout);
    List<CheckResult> results = new ArrayList<>();
    for (SmokeCheck c : checks) {
      results.add(Checks.journal(journal, SUITE, run(probe, baseUrl, c)));
    }
    return results;
  }

  private CheckResult run(HttpProbe probe, URI baseUrl, SmokeCheck c) {
    String name = c.name() + " (" + c.method() + " " + c.path() + ")";
    String expect = "HTTP " + c.expectStatus();
    Map<String, String> headers = new LinkedHashMap<>();
    String body;
    try {
      for (var h : c.headers().entrySet()) headers.put(h.getKey(), fill(h.getValue()));
      body = c.body() == null ? null : fill(c.body());
    } catch (MissingVariable e) {
      return CheckResult.inconclusive(name, expect, 0, e.getMessage() + " is not set");
    }
    try {
      HttpProbe.Answer a = probe.send(c.method(), baseUrl.resolve(c.path()), headers, body);
      if (a.status() != c.expectStatus()) return CheckResult.fail(name, "HTTP " + a.status(), expect, a.millis(), "");
      for (var f : c.expectFields().entrySet()) {
        String got = a.field(f.getKey());
        if (!f.getValue().equals(got)) {
          return CheckResult.fail(name, f.getKey() + "=" + got, f.getKey() + "=" + f.getValue(), a.millis(), "unexpected answer");
        }
      }
      return CheckResult.pass(name, "HTTP " + a.status(), expect, a.millis());
    } catch (IOException e) {
      return CheckResult.fail(name, null, expect, timeout.toMillis(), "no answer: " + BlueVerifier.reason(e));
    }
  }

  private static final class MissingVariable extends Exception {
    MissingVariable(String name) {
      super(name);
    }
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
