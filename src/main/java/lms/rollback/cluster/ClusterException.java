package lms.rollback.cluster;

import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/** The cluster is not in a state the step can work with, or cannot be reached (exit 3). */
public class ClusterException extends LmsException {
  public ClusterException(String message) {
    super(ExitCode.CLUSTER_STATE, message);
  }

  public ClusterException(String message, Throwable cause) {
    super(ExitCode.CLUSTER_STATE, message, cause);
  }
}
