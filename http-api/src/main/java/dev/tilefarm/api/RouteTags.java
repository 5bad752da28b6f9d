package dev.tilefarm.api;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tags of the request metrics: a route template ({@code /api/jobs/{id}}) and a known method, never the raw
 * path or method, so that no request, authorized or not, can add a series to {@code /metrics} beyond the fixed set
 * of routes x methods x statuses.
 */
final class RouteTags {
  /** Paths that the API serves as they are; every other {@code /api} path is {@link #UNMATCHED}. */
  private static final Set<String> FIXED = Set.of("/metrics", "/healthz", "/openapi.yaml", "/api/health", "/api/jobs",
      "/api/uploads", "/api/events", "/api/workers", "/api/stats", "/api/dead-letters");
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
      "TRACE", "CONNECT");
  private static final Pattern JOB = Pattern.compile("/api/jobs/[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern JOB_PART = Pattern.compile(
      "/api/jobs/[A-Za-z0-9][A-Za-z0-9._-]{0,127}/(events|cancel|output|output-url|logs|tiles/\\d{1,7}\\.png)");
  /** Dashboard files: one tag for all of them, whatever their names. */
  private static final Pattern STATIC = Pattern.compile("/|/[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\\.[A-Za-z0-9]{1,5}");
  static final String UNMATCHED = "unmatched";
  static final String OTHER_METHOD = "OTHER";

  private RouteTags() {}

  /** The route template of a raw request path, {@code "static"} for a dashboard file, else {@link #UNMATCHED}. */
  static String route(String rawPath) {
    if (rawPath == null) {
      return UNMATCHED;
    }
    if (FIXED.contains(rawPath)) {
      return rawPath;
    }
    Matcher m = JOB_PART.matcher(rawPath);
    if (m.matches()) {
      return "/api/jobs/{id}/" + (m.group(1).startsWith("tiles/") ? "tiles/{n}.png" : m.group(1));
    }
    if (JOB.matcher(rawPath).matches()) {
      return "/api/jobs/{id}";
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
