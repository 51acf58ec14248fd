package lms.rollback.report;

import java.util.List;

/** JUnit XML as Jenkins' junit step reads it: suites of cases, a failure message for each failed one. */
public final class JUnitXml {
  private JUnitXml() {}

  /** {@code skipped}: why the case does not apply (Jenkins counts it apart from passes and failures), or null. */
  public record Case(String name, long millis, String failure, String skipped) {
    public Case(String name, long millis, String failure) {
      this(name, millis, failure, null);
    }
  }

  public record Suite(String name, List<Case> cases) {}

  public static String document(List<Suite> suites) {
    StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"lms-rollback\">\n");
    for (Suite s : suites) {
      long failures = s.cases().stream().filter(c -> c.failure() != null).count();
      long skipped = s.cases().stream().filter(c -> c.failure() == null && c.skipped() != null).count();
      x.append(String.format("  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\">%n", escape(s.name()), s.cases().size(),
          failures, skipped));
      for (Case c : s.cases()) {
        x.append(String.format("    <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\"", escape(s.name()), escape(c.name()), c.millis() / 1000.0));
        if (c.failure() == null && c.skipped() != null) {
          x.append(">\n      <skipped message=\"").append(escape(c.skipped())).append("\"/>\n    </testcase>\n");
        } else if (c.failure() == null) {
          x.append("/>\n");
        } else {
          x.append(">\n      <failure message=\"").append(escape(c.failure())).append("\"/>\n    </testcase>\n");
        }
      }
      x.append("  </testsuite>\n");
    }
    return x.append("</testsuites>\n").toString();
  }

  /** Masked, then escaped: a check's detail may quote a URL with its credentials, and JUnit ends up on the build page. */
  static String escape(String raw) {
    String s = lms.rollback.core.SecretMasker.mask(raw);
    return xmlCharacters(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /**
   * Only what XML 1.0 allows: a control character (a colour code from a quoted log line, say) is written as
   * \\uXXXX, so the file stays well-formed exactly when a failure quotes such a line.
   */
  static String xmlCharacters(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (pairedSurrogate) {
        out.append(c).append(s.charAt(++i));
      } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
