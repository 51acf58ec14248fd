package lms.rollback.plan;

import java.util.List;

/**
 * §10 on a terminal: a decision can carry an OpenSSH signature ({@code ssh-keygen -Y sign}) over the run's id, the trigger,
 * the prompt, the decision and the reason, verified against {@code allowedSigners} (an OpenSSH allowed_signers file: the
 * decider's id, then their public key). On the environments of {@code requiredOn} an unsigned decision is refused.
 */
public record DecisionSignatures(String namespace, String allowedSigners, List<String> requiredOn) {

  public static final String DEFAULT_NAMESPACE = "lms-rollback-decision";
  public static final DecisionSignatures NONE = new DecisionSignatures(DEFAULT_NAMESPACE, null, List.of());

  public DecisionSignatures {
    namespace = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
    requiredOn = requiredOn == null ? List.of() : List.copyOf(requiredOn);
  }

  public boolean requiredOn(String environment) {
    return environment != null && requiredOn.contains(environment);
  }
}
