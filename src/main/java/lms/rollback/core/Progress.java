package lms.rollback.core;

/** Where long operations report what they are doing: stderr for a person, a list in tests. */
@FunctionalInterface
public interface Progress {
  void say(String line);

  Progress SILENT = line -> {};

  /** Progress for a person: every line masked, for it may quote a URL or a command with a password in it. */
  static Progress stderr() {
    return line -> {
      System.err.println(SecretMasker.mask(line));
      System.err.flush();
    };
  }
}
