package lms.rollback.database;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/**
 * The database's URL as alembic (SQLAlchemy) and libpq take it, {@code postgresql[+driver]://user:password@host:port/db},
 * read from the environment variable the plan names. Its password is never printed: {@link #toString()} masks it.
 */
public final class DatabaseUrl {

  private final String variable;
  private final URI uri;

  private DatabaseUrl(String variable, URI uri) {
    this.variable = variable;
    this.uri = uri;
  }

  public static DatabaseUrl fromEnvironment(String variable, Map<String, String> environment) {
    String value = environment.get(variable);
    if (value == null || value.isBlank()) {
      throw new LmsException(ExitCode.INVALID_INPUT, "$" + variable + " is not set; it must hold the database URL "
          + "(postgresql://user:password@host:port/database), as the plan's database.urlEnv says");
    }
    URI uri;
    try {
      uri = URI.create(value.strip());
    } catch (IllegalArgumentException e) {
      throw new LmsException(ExitCode.INVALID_INPUT, "$" + variable + " is not a URL; allowed: postgresql://user:password@host:port/database");
    }
    if (uri.getScheme() == null || !uri.getScheme().startsWith("postgresql") || uri.getHost() == null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "$" + variable + " has scheme '" + uri.getScheme()
          + "'; allowed: postgresql://user:password@host:port/database (or postgresql+psycopg2://…)");
    }
    return new DatabaseUrl(variable, uri);
  }

  /** What alembic's env.py reads (SQLAlchemy accepts the +driver form too). */
  public String forAlembic() {
    return uri.toString();
  }

  /** For pg_restore and psql: libpq knows no "+driver". */
  public String forLibpq() {
    return uri.toString().replaceFirst("^postgresql\\+[a-z0-9]+://", "postgresql://");
  }

  /** The libpq URL with its password taken out (it goes in PGPASSWORD instead). */
  public String withoutPassword() {
    String info = uri.getRawUserInfo();
    String user = info == null ? null : info.contains(":") ? info.substring(0, info.indexOf(':')) : info;
    try {
      URI bare = new URI("postgresql", null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null);
      String s = bare.toString();
      return user == null ? s : s.replaceFirst("^postgresql://", "postgresql://" + user + "@");
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public java.util.Optional<String> password() {
    String info = uri.getRawUserInfo();
    return info == null || !info.contains(":") ? java.util.Optional.empty() : java.util.Optional.of(decode(info.substring(info.indexOf(':') + 1)));
  }

  public String jdbc() {
    return "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + (uri.getRawPath() == null ? "/" : uri.getRawPath());
  }

  public Properties jdbcProperties() {
    Properties p = new Properties();
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      p.setProperty("user", decode(colon < 0 ? info : info.substring(0, colon)));
      if (colon >= 0) p.setProperty("password", decode(info.substring(colon + 1)));
    }
    p.setProperty("connectTimeout", "10");
    p.setProperty("ApplicationName", "lmsctl");
    return p;
  }

  public String variable() {
    return variable;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** host:port/database, for messages and the journal; no user, no password. */
  @Override
  public String toString() {
    return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + (uri.getPath() == null ? "" : uri.getPath());
  }
}
