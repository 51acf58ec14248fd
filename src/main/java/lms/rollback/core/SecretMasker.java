package lms.rollback.core;

import java.util.regex.Pattern;

/** Masks what looks like a credential before it reaches a log line or the journal. */
public final class SecretMasker {
  private SecretMasker() {}

  public static final String MASK = "****";
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
  private static final Pattern KEY_VALUE = Pattern.compile(
      "(?i)((?:password|passwd|token|secret|api[_-]?key|client[_-]?key-data)\"?\\s*[:=]\\s*\"?)([^\"\\s,&}]+)");
  /** An HTTP Authorization header: its credentials follow a scheme (so "the authorization: DBA and …" stays text). */
  private static final Pattern AUTHORIZATION = Pattern.compile("(?i)(authorization\"?\\s*[:=]\\s*\"?(?:basic|digest|token|negotiate|aws4-hmac-sha256)\\s+)([^\"\\s,&}]+)");
  /** A field named like this holds a secret whatever its value looks like. */
  private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|passwd|token|secret|api[_-]?key|credential).*");
  private static final Pattern FLAG = Pattern.compile("(?i)(--(?:password|token|secret|api-key)\\s+)(\\S+)");
  private static final Pattern URL_CREDENTIALS = Pattern.compile("(://[^/:@\\s]+:)[^@/\\s]+@");

  public static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key).matches();
  }

  /** Masks every string in a JSON tree, and the whole value of every secret-named field. */
  public static com.fasterxml.jackson.databind.JsonNode mask(com.fasterxml.jackson.databind.JsonNode node) {
    if (node.isTextual()) return com.fasterxml.jackson.databind.node.TextNode.valueOf(mask(node.asText()));
    if (node.isArray()) {
      var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
      node.forEach(n -> out.add(mask(n)));
      return out;
    }
    if (node.isObject()) {
      var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      node.fields().forEachRemaining(e -> out.set(e.getKey(),
          isSecretKey(e.getKey()) && !e.getValue().isContainerNode() && !e.getValue().isNull()
              ? com.fasterxml.jackson.databind.node.TextNode.valueOf(MASK) : mask(e.getValue())));
      return out;
    }
    return node;
  }

  public static String mask(String text) {
    if (text == null) return null;
    String out = BEARER.matcher(text).replaceAll("$1" + MASK);
    out = KEY_VALUE.matcher(out).replaceAll("$1" + MASK);
    out = AUTHORIZATION.matcher(out).replaceAll("$1" + MASK);
    out = FLAG.matcher(out).replaceAll("$1" + MASK);
    return URL_CREDENTIALS.matcher(out).replaceAll("$1" + MASK + "@");
  }
}
