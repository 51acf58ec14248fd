package lms.rollback.core;

/** Where long operations report what they are doing: stderr for a person, a list in tests. */
@FunctionalInterface
public interface Progress {
  void say(String line);

  Progress SILENT = line -> {};

  static Progress stderr() {
    return line -> {
      System.err.println(line);
      System.err.flush();
    };
  }
}
