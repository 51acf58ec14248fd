package lms.rollback.audit;

import java.util.regex.Pattern;

/** Masks what looks like a credential before it reaches a log line or the journal. */
public final class SecretMasker {
  private SecretMasker() {}

  public static final String MASK = "****";
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
  private static final Pattern KEY_VALUE = Pattern.compile(
      "(?i)((?:password|passwd|token|secret|api[_-]?key|client[_-]?key-data|authorization)\"?\\s*[:=]\\s*\"?)([^\"\\s,&}]+)");
  private static final Pattern URL_CREDENTIALS = Pattern.compile("(://[^/:@\\s]+:)[^@/\\s]+@");

  public static String mask(String text) {
    if (text == null) return null;
    String out = BEARER.matcher(text).replaceAll("$1" + MASK);
    out = KEY_VALUE.matcher(out).replaceAll("$1" + MASK);
    return URL_CREDENTIALS.matcher(out).replaceAll("$1" + MASK + "@");
  }
}
