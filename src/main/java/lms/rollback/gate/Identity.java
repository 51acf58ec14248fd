package lms.rollback.gate;

import java.util.Locale;

/**
 * A person's user id as the gate compares it: trimmed and case-folded, because Jenkins' security
 * realms (LDAP, Active Directory) treat "DBA.Lee" and "dba.lee " as the same person.
 */
public final class Identity {
  private Identity() {}

  /** The comparable form of a user id or group name; null for null or blank. */
  public static String normalize(String id) {
    if (id == null || id.isBlank()) return null;
    return id.strip().toLowerCase(Locale.ROOT);
  }

  /** Whether two ids name the same person; a missing id is nobody. */
  public static boolean same(String a, String b) {
    String x = normalize(a);
    return x != null && x.equals(normalize(b));
  }
}
