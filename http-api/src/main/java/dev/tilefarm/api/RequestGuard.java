package dev.tilefarm.api;

import com.sun.net.httpserver.Headers;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What keeps a web page in someone's browser from using an API that has no token (the default, on loopback):
 * the browser sends no credential, so the API must refuse what a foreign page can make the browser send.
 *
 * <ul>
 *   <li><b>DNS rebinding:</b> every request's {@code Host} must name this server: a loopback name
 *       ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}) or the bound address, on the server's port; when
 *       bound to every interface ({@code 0.0.0.0}), any IP address on the port too; and any name listed in
 *       {@code http.allowed-hosts}, on any port (behind a proxy). A rebinding page's requests carry its own
 *       domain name, which is none of these.</li>
 *   <li><b>Cross-site requests:</b> a request that changes something (any method but GET, HEAD, OPTIONS) must
 *       carry, if any, the {@code Origin} of this server as the {@code Host} names it, and a body type that a
 *       page cannot send without asking first (a CORS preflight, which this API never grants):
 *       {@code application/json}, or for {@code /api/uploads} the image's own type (anything but
 *       {@code text/plain}, {@code application/x-www-form-urlencoded} and {@code multipart/form-data}).</li>
 * </ul>
 */
final class RequestGuard {
  /** Why a request is refused: the header at fault and the reason. */
  record Refusal(String header, String reason) {}

  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");
  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
  /** The body types a page may send cross-site without a preflight (the Fetch standard's CORS-safelisted ones). */
  private static final Set<String> SIMPLE_TYPES = Set.of("text/plain", "application/x-www-form-urlencoded",
      "multipart/form-data");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.%]+]");

  private final String boundHost;
  private final boolean wildcard;
  private final int port;
  private final Set<String> allowedHosts;

  /**
   * @param boundHost the address the server listens on, as configured
   * @param port the port it listens on
   * @param allowedHosts more names a request's Host may give, on any port
   */
  RequestGuard(String boundHost, int port, List<String> allowedHosts) {
    String bound = boundHost.toLowerCase(Locale.ROOT);
    this.wildcard = bound.equals("0.0.0.0") || bound.equals("::") || bound.equals("[::]");
    this.boundHost = bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound;
    this.port = port;
    this.allowedHosts = Set.copyOf(allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
  }

  /** Null if the request may go on, else why not. */
  Refusal check(String method, String path, Headers headers) {
    String host = headers.getFirst("Host");
    if (host == null || host.isBlank()) {
      return new Refusal("Host", "is missing; this API (without a token) answers only requests that name it");
    }
    if (!hostAllowed(host.trim().toLowerCase(Locale.ROOT))) {
      return new Refusal("Host", "'" + host + "' is not this server (" + boundHost + ":" + port
          + "); without a token, the API answers only its own names (add a name to http.allowed-hosts, or set "
          + "http.token)");
    }
    if (SAFE_METHODS.contains(method)) {
      return null;
    }
    String origin = headers.getFirst("Origin");
    if (origin != null && !origin.trim().equalsIgnoreCase("http://" + host.trim())
        && !origin.trim().equalsIgnoreCase("https://" + host.trim())) {
      return new Refusal("Origin", "'" + origin + "' is not this server's origin (http://" + host.trim()
          + "); without a token, the API takes no changes from other sites' pages");
    }
    if (method.equals("DELETE")) {
      return null; // carries no body; a page cannot send it cross-site without a preflight
    }
    String type = mediaType(headers.getFirst("Content-Type"));
    if (path.equals("/api/uploads")) {
      if (type == null || SIMPLE_TYPES.contains(type)) {
        return new Refusal("Content-Type", "an upload must be sent with the image's type (image/png, image/jpeg, "
            + "image/tiff, image/bmp or application/octet-stream), got " + (type == null ? "none" : type));
      }
    } else if (!"application/json".equals(type)) {
      return new Refusal("Content-Type", "must be application/json, got " + (type == null ? "none" : type));
    }
    return null;
  }

  private boolean hostAllowed(String host) {
    String name = host;
    int hostPort = 80;
    int colon = host.lastIndexOf(':');
    if (colon > host.lastIndexOf(']')) {
      name = host.substring(0, colon);
      try {
        hostPort = Integer.parseInt(host.substring(colon + 1));
      } catch (NumberFormatException e) {
        return false;
      }
    }
    if (allowedHosts.contains(name)) {
      return true;
    }
    if (hostPort != port) {
      return false;
    }
    return LOOPBACK.contains(name) || name.equals(boundHost)
        || wildcard && (IPV4.matcher(name).matches() || IPV6.matcher(name).matches());
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.isEmpty() ? null : type;
  }
}
