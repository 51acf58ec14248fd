package lms.rollback.gate;

import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/** The person may not take this decision (exit 5). */
public class NotAuthorizedException extends LmsException {
  public NotAuthorizedException(String message) {
    super(ExitCode.NOT_AUTHORIZED, message);
  }
}
