package lms.rollback.core;

/** A failure the user must be told about in one line, with the exit code that classifies it. */
public class LmsException extends RuntimeException {
  private final int exitCode;

  public LmsException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public LmsException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
