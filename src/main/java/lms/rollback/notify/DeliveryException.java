package lms.rollback.notify;

/** A channel could not deliver; {@code retryable} says whether trying again may help. */
public class DeliveryException extends Exception {
  private final boolean retryable;

  public DeliveryException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
