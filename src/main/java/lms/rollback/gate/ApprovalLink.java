package lms.rollback.gate;

import java.net.URI;
import java.net.URISyntaxException;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/**
 * The one-click link to a build's pending prompts: {@code BUILD_URL} + {@code input/}. Anything
 * that could carry a credential (user info, query, fragment) is dropped: a message is forwarded,
 * pasted and archived, and a link in it must not open anything by itself.
 */
public final class ApprovalLink {
  public static final String INPUT_PAGE = "input/";

  private ApprovalLink() {}

  public static String of(String buildUrl) {
    if (buildUrl == null || buildUrl.isBlank()) return null;
    URI uri;
    try {
      uri = new URI(buildUrl.strip());
    } catch (URISyntaxException e) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--build-url: not a URL (" + e.getReason() + "); allowed: the build's http(s) URL, like $BUILD_URL");
    }
    if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--build-url: '" + uri.getScheme() + "' URL not allowed; allowed: the build's http(s) URL, like $BUILD_URL");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (!path.endsWith("/")) path += "/";
    if (!path.endsWith("/" + INPUT_PAGE)) path += INPUT_PAGE;
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path;
  }
}
