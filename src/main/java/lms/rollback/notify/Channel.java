package lms.rollback.notify;

/** Somewhere a message can be delivered. */
public interface Channel {
  /** Where it goes, safe to journal (no credentials, no secret paths). */
  String describe();

  void deliver(RenderedMessage message) throws DeliveryException;
}
