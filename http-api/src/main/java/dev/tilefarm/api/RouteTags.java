package dev.tilefarm.api;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tags of the request metrics: a route template ({@code /api/jobs/{id}}) and a known method, never the raw
 * path or method, so that no request, authorized or not, can add a series to {@code /metrics} beyond the fixed set
 * of routes x methods x statuses.
 */
final class RouteTags {
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
      "TRACE", "CONNECT");
  /** Dashboard files: one tag for all of them, whatever their names. */
  private static final Pattern STATIC = Pattern.compile("/|/[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\\.[A-Za-z0-9]{1,5}");
  static final String UNMATCHED = "unmatched";
  static final String OTHER_METHOD = "OTHER";

  private RouteTags() {}

  /**
   * The route template of a raw request path (the route table's), {@code "static"} for a dashboard file, else
   * {@link #UNMATCHED}.
   */
  static String route(String rawPath) {
    if (rawPath == null) {
      return UNMATCHED;
    }
    String template = Routes.TABLE.template(rawPath);
    if (template != null) {
      return template;
    }
    if (!rawPath.startsWith("/api/") && STATIC.matcher(rawPath).matches()
        && RouteTags.class.getResource("/dashboard" + (rawPath.equals("/") ? "/index.html" : rawPath)) != null) {
      return "static";
    }
    return UNMATCHED;
  }

  /** The method if HTTP defines it, else {@link #OTHER_METHOD}. */
  static String method(String method) {
    return METHODS.contains(method) ? method : OTHER_METHOD;
  }
}
