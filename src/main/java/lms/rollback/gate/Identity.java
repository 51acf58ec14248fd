package lms.rollback.gate;

import java.util.Locale;

/**
 * A person's user id as the gate compares it: NFKC-normalised (fullwidth "ｒｃ.ｊｏｎｅｓ" is rc.jones), trimmed and
 * case-folded, because Jenkins' security realms (LDAP, Active Directory) treat "DBA.Lee" and "dba.lee " as the same
 * person. An id that could pass for another ({@link #lookalike}) is refused where a person types it.
 */
public final class Identity {
  private Identity() {}

  /** The comparable form of a user id or group name; null for null or blank. */
  public static String normalize(String id) {
    if (id == null || id.isBlank()) return null;
    return java.text.Normalizer.normalize(id, java.text.Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
  }

  /**
   * Why {@code id} could pass for someone else, or null: an invisible or space character inside it (zero-width
   * space, NBSP: "rc\u200B.jones" looks like rc.jones), or letters of two scripts (a Cyrillic "с" in "rc.jones").
   */
  public static String lookalike(String id) {
    if (id == null) return null;
    String n = java.text.Normalizer.normalize(id, java.text.Normalizer.Form.NFKC).strip();
    java.util.Set<Character.UnicodeScript> scripts = new java.util.TreeSet<>();
    for (int i = 0; i < n.length(); ) {
      int c = n.codePointAt(i);
      int type = Character.getType(c);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c) || type == Character.FORMAT || type == Character.CONTROL) {
        return String.format("it holds an invisible or space character (U+%04X) at %d", c, i);
      }
      if (Character.isLetter(c)) scripts.add(Character.UnicodeScript.of(c));
      i += Character.charCount(c);
    }
    return scripts.size() > 1 ? "it mixes letters of " + scripts.size() + " scripts (" + scripts + "), as a lookalike of another id does" : null;
  }

  /** Whether two ids name the same person; a missing id is nobody. */
  public static boolean same(String a, String b) {
    String x = normalize(a);
    return x != null && x.equals(normalize(b));
  }
}
