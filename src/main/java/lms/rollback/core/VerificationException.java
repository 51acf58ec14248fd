package lms.rollback.core;


/** The change was made but reading it back shows it did not take (exit 4). */
public class VerificationException extends LmsException {
  public VerificationException(String message) {
    super(ExitCode.VERIFICATION_FAILED, message);
  }
}
