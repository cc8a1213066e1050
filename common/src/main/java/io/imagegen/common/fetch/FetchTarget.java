package io.imagegen.common.fetch;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One syntactically acceptable hop: an absolute http(s) URL without credentials, with a real host name or canonical
 * IP literal. Says nothing yet about where the host resolves to; that is checked per hop by {@link SafeFetcher}.
 */
record FetchTarget(URI uri, String host, int port, boolean ssl, String requestUri) {
  private static final int MAX_URL_LENGTH = 8192;

  /** Parses and checks {@code url}; throws {@link InvalidRequestException} (param {@code null}) on any violation. */
  static FetchTarget parse(String url) {
    if (url == null || url.isBlank()) {
      throw invalid("URL must not be empty");
    }
    if (url.length() > MAX_URL_LENGTH) {
      throw invalid("URL is longer than " + MAX_URL_LENGTH + " characters");
    }
    try {
      return of(new URI(url.trim()));
    } catch (URISyntaxException e) {
      throw invalid("URL is not valid: " + e.getReason());
    }
  }

  /** The target a redirect's {@code Location} points to, resolved against this URL and checked like a new URL. */
  FetchTarget redirect(String location) {
    try {
      // URI.resolve mishandles an empty base path ("http://a" + "b" = "http://ab"), so anchor it at "/" first.
      URI base = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? uri.resolve("/") : uri;
      return of(base.resolve(new URI(location.trim())));
    } catch (URISyntaxException e) {
      throw invalid("redirect Location is not a valid URL: " + e.getReason());
    }
  }

  /** Whether the port is the scheme's default, which the Host header then omits. */
  boolean defaultPort() {
    return port == (ssl ? 443 : 80);
  }

  private static FetchTarget of(URI uri) {
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme == null) {
      throw invalid("URL must be absolute and start with http:// or https://");
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid("URL scheme must be http or https, got '" + scheme + "'");
    }
    String authority = uri.getRawAuthority();
    // Checked on the raw authority too: when the host part is malformed, URI drops the userinfo split entirely.
    if (uri.getRawUserInfo() != null || authority != null && authority.contains("@")) {
      throw invalid("URL must not contain credentials (user:password@host)");
    }
    String host = uri.getHost();
    if (host == null) {
      if (authority == null || authority.isEmpty()) {
        throw invalid("URL must include a host");
      }
      String bare = authority.replaceFirst(":[0-9]*$", "");
      if (AddressRules.isAmbiguousNumericHost(bare)) {
        throw nonStandardNumber(bare);
      }
      throw invalid("URL host '" + bare + "' is not a valid host name");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    host = host.toLowerCase(Locale.ROOT);
    if (AddressRules.isAmbiguousNumericHost(host)) {
      throw nonStandardNumber(host);
    }
    boolean ssl = scheme.equals("https");
    int port = uri.getPort() == -1 ? (ssl ? 443 : 80) : uri.getPort();
    if (port < 1 || port > 65535) {
      throw invalid("URL port must be between 1 and 65535, got " + port);
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String requestUri = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    return new FetchTarget(uri, host, port, ssl, requestUri);
  }

  private static InvalidRequestException nonStandardNumber(String host) {
    return invalid("URL host '" + host + "' is a numeric address in a non-standard form; use a dotted quad such as "
        + "203.0.113.7 or a host name");
  }

  static InvalidRequestException invalid(String message) {
    return new InvalidRequestException(ErrorCode.INVALID_URL, message, null);
  }
}
