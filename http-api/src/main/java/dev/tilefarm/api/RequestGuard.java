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
 *       ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}) or the bound address; when bound to every interface
 *       ({@code 0.0.0.0}), any IP address; and any name listed in {@code http.allowed-hosts} (behind a proxy). A
 *       rebinding page's requests carry its own domain name, which is none of these. The port is not checked:
 *       the browser puts in the port it connected to, which is this server's unless a proxy or a container's
 *       port mapping ({@code -p 18080:8080}) stands between, and the port does not tell a rebinding page apart;
 *       a page of another local server on another port is refused by its {@code Origin} (below).</li>
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
  private final Set<String> allowedHosts;

  /**
   * @param boundHost the address the server listens on, as configured
   * @param allowedHosts more names a request's Host may give
   */
  RequestGuard(String boundHost, List<String> allowedHosts) {
    String bound = boundHost.toLowerCase(Locale.ROOT);
    this.wildcard = bound.equals("0.0.0.0") || bound.equals("::") || bound.equals("[::]");
    this.boundHost = bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound;
    this.allowedHosts = Set.copyOf(allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
  }

  /** Null if the request may go on, else why not. */
  Refusal check(String method, String path, Headers headers) {
    String host = headers.getFirst("Host");
    if (host == null || host.isBlank()) {
      return new Refusal("Host", "is missing; this API (without a token) answers only requests that name it");
    }
    if (!hostAllowed(host.trim().toLowerCase(Locale.ROOT))) {
      return new Refusal("Host", "'" + host + "' is not a name of this server (" + boundHost
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
    int colon = host.lastIndexOf(':');
    if (colon > host.lastIndexOf(']')) {
      name = host.substring(0, colon);
      String hostPort = host.substring(colon + 1);
      if (!hostPort.matches("\\d{1,5}") || Integer.parseInt(hostPort) > 65_535) {
        return false;
      }
    }
    return allowedHosts.contains(name) || LOOPBACK.contains(name) || name.equals(boundHost)
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
