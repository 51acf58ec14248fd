package lms.rollback.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Who recorded a decision, as opposed to who it names (#38): {@code os} is the operating-system login of the lmsctl
 * process — not its --actor or $LMS_ACTOR, which anyone types — and {@code jenkinsUser} the Jenkins user a build says
 * answered its input ({@link #JENKINS_USER_VARIABLE}, set by lmsRollbackGate from the input's authenticated submitter),
 * or null on a terminal. An unsigned decision rests on these; the journal keeps them beside the asserted decider.
 */
public record Login(String os, String jenkinsUser) {

  public static final String JENKINS_USER_VARIABLE = "LMS_JENKINS_USER";

  /** This process's login, and the Jenkins user its build passed, if any. */
  public static Login current() {
    String jenkins = System.getenv(JENKINS_USER_VARIABLE);
    return new Login(System.getProperty("user.name"), jenkins == null || jenkins.isBlank() ? null : jenkins.strip());
  }

  /** The same login, recording what a build's input answered by {@code user} (a Jenkins-authenticated submitter). */
  public Login answeredInJenkinsBy(String user) {
    return new Login(os, user);
  }

  /** As a decision entry keeps it. */
  public void into(Map<String, Object> data) {
    data.put("login", os);
    if (jenkinsUser != null) data.put("jenkinsUser", jenkinsUser);
  }

  /** As a decision entry kept it; null for an entry from before logins were journaled. */
  public static Login of(JsonNode data) {
    String os = data.path("login").asText(null);
    return os == null ? null : new Login(os, data.path("jenkinsUser").asText(null));
  }

  /** "login root", "login jenkins (Jenkins user rc.jones)". */
  public String describe() {
    return "login " + os + (jenkinsUser == null ? "" : " (Jenkins user " + jenkinsUser + ")");
  }
}
