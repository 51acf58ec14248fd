package lms.rollback.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * A real component a test runs (README's test command, {@code test/provide-tools}, installs them, or stops saying
 * what it could not install). Where one is missing anyway (mvn run without that command), each test that needs it
 * fails with the reason: a test that did not run never counts as passed.
 */
public enum Tool {
  PROMETHEUS("prometheus", "apt-get install prometheus") {
    Optional<String> locate() {
      return fromEnv("PROMETHEUS").or(() -> executable("/usr/bin/prometheus", "/usr/local/bin/prometheus"));
    }
  },
  POSTGRESQL_AND_ALEMBIC("PostgreSQL with Debian's alembic and psycopg2", "apt-get install postgresql postgresql-client python3-alembic python3-psycopg2") {
    Optional<String> locate() {
      return PostgresServer.installed() && onPath("pg_restore").isPresent() && pythonImports("alembic", "psycopg2") ? Optional.of("/usr/lib/postgresql") : Optional.empty();
    }
  },
  SSH_KEYGEN("OpenSSH's ssh-keygen (8.2 or later: -Y sign/verify)", "apt-get install openssh-client") {
    Optional<String> locate() {
      return onPath("ssh-keygen");
    }
  },
  KUBECTL("kubectl", "test/provide-tools unpacks Debian's kubernetes-client into .ci/tools") {
    Optional<String> locate() {
      return fromEnv("KUBECTL").or(() -> executable(Path.of(".ci/tools/usr/bin/kubectl").toAbsolutePath().toString())).or(() -> onPath("kubectl"));
    }
  };

  private final String what;
  private final String install;

  Tool(String what, String install) {
    this.what = what;
    this.install = install;
  }

  abstract Optional<String> locate();

  public boolean present() {
    return locate().isPresent();
  }

  /** Where the tool is; a test without it fails with the reason and how to install it. */
  public String require() {
    Optional<String> found = locate();
    if (found.isPresent()) return found.get();
    return Assertions.fail(what + " is not installed (" + install + "; README's test command, test/provide-tools && mvn -B verify, installs it)");
  }

  private static Optional<String> fromEnv(String name) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
  }

  private static Optional<String> executable(String... candidates) {
    for (String c : candidates) {
      if (Files.isExecutable(Path.of(c)) && !Files.isDirectory(Path.of(c))) return Optional.of(c);
    }
    return Optional.empty();
  }

  static Optional<String> onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) return Optional.of(candidate.toString());
    }
    return Optional.empty();
  }

  private static boolean pythonImports(String... modules) {
    if (!Files.isExecutable(Path.of("/usr/bin/python3"))) return false;
    try {
      Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import " + String.join(", ", modules)).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
