package lms.rollback.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway PostgreSQL (Debian's postgresql package) for one test class: initdb in a temp
 * directory, listening on 127.0.0.1 only, run as the postgres user when the tests run as root
 * (PostgreSQL refuses to run as root), and stopped by its pid.
 */
public final class PostgresServer implements AutoCloseable {

  public static final Path SAMPLE_MIGRATIONS = Path.of("resources/lms/rollback/sample-lms");
  public static final List<String> ALEMBIC = List.of("/usr/bin/python3", "-m", "alembic");
  private static final String USER = "lms";
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path dir;
  private final Path bin;
  private final int port;
  private long pid;

  private PostgresServer(Path dir, Path bin, int port) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
  }

  public static PostgresServer start() throws Exception {
    Tool.POSTGRESQL_AND_ALEMBIC.require();
    Path bin = binaries();
    Path dir = Files.createTempDirectory("lms-pg-");
    PostgresServer pg = new PostgresServer(dir, bin, Ports.free());
    pg.asPostgres(List.of("chown", "-R", "postgres", dir.toString()), true);
    pg.asPostgres(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U", USER, "--no-sync",
        "-E", "UTF8"), false);
    pg.asPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(),
        "-w", "-t", "60", "-o", "-c listen_addresses=127.0.0.1 -p " + pg.port + " -k " + dir + " -F", "start"), false);
    pg.pid = Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).strip());
    return pg;
  }

  static boolean installed() {
    try {
      binaries();
      return true;
    } catch (IOException | IllegalStateException e) {
      return false;
    }
  }

  /** The newest installed server's binaries: /usr/lib/postgresql/N/bin. */
  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) throw new IllegalStateException("PostgreSQL is not installed (Debian package postgresql); .ci/run installs it");
    try (var versions = Files.list(root)) {
      return versions.filter(p -> Files.isExecutable(p.resolve("bin/initdb")))
          .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().replaceAll("\\D", "0"))))
          .orElseThrow(() -> new IllegalStateException("no initdb under " + root)).resolve("bin");
    }
  }

  private void asPostgres(List<String> argv, boolean asRoot) throws Exception {
    List<String> cmd = new ArrayList<>();
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root && !asRoot) cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    if (!root && asRoot) return;
    cmd.addAll(argv);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
  }

  /** A new, empty database; its URL as LMS_DATABASE_URL holds it. */
  public String createDatabase() throws SQLException {
    String name = "lms_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(jdbc("postgres"), USER, "")) {
      c.createStatement().execute("CREATE DATABASE " + name);
    }
    return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + name;
  }

  public static String jdbcOf(String url) {
    return "jdbc:" + url.replace(USER + "@", "");
  }

  private String jdbc(String db) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
  }

  /** Runs alembic from the sample LMS history (or another directory) against {@code url}. */
  public static String alembic(String url, Path migrations, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(ALEMBIC);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(migrations.toFile()).redirectErrorStream(true);
    pb.environment().put("LMS_DATABASE_URL", url);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("alembic " + String.join(" ", args) + ": " + out);
    return out;
  }

  /** The sample LMS at head, with employees, balances and requests as Green left them. */
  public String lmsAtHead() throws Exception {
    String url = createDatabase();
    alembic(url, SAMPLE_MIGRATIONS, "upgrade", "head");
    sql(url, "INSERT INTO employees (id, name) VALUES (1, 'Ada'), (2, 'Grace')",
        "INSERT INTO leave_balances VALUES (1, 'ANNUAL', 20), (2, 'ANNUAL', 12.5)",
        "INSERT INTO leave_requests (employee_id, leave_type, days, half_day) VALUES (1, 'ANNUAL', 2, false), (2, 'ANNUAL', 0.5, true)");
    return url;
  }

  public static void sql(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcOf(url), USER, ""); Statement s = c.createStatement()) {
      for (String statement : statements) s.execute(statement);
    }
  }

  public static String query(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcOf(url), USER, ""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? String.valueOf(rs.getObject(1)) : null;
    }
  }

  public static String revision(String url) throws SQLException {
    return query(url, "SELECT version_num FROM alembic_version");
  }

  /** pg_dump -Fc of {@code url} into {@code file}. */
  public static Path dump(String url, Path file) throws Exception {
    Process p = new ProcessBuilder("pg_dump", "-Fc", "-f", file.toString(), "--dbname=" + url).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("pg_dump: " + out);
    return file;
  }

  public static Map<String, String> environment(String url) {
    return Map.of("LMS_DATABASE_URL", url);
  }

  @Override
  public void close() throws Exception {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);  // SIGTERM: smart shutdown
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
