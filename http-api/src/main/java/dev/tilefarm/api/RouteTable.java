package dev.tilefarm.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes as data: each is a method, a path template with named parameters ({@code /api/jobs/{id}/tiles/{n}.png})
 * and a handler. A path matches a template only whole, each parameter by its own pattern ({@link #PARAMETERS}), so a
 * handler never sees a job id that could not be one. HEAD is served by the GET route.
 *
 * @param <H> the handlers
 */
final class RouteTable<H> {
  /** What each named parameter matches: a template may use only these. */
  static final Map<String, String> PARAMETERS = Map.of(
      "id", "[A-Za-z0-9][A-Za-z0-9._-]{0,127}", // a job id (JobCodec's rule)
      "n", "\\d{1,7}"); // a tile index

  private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z]+)}");

  /** One route. */
  record Route<H>(String method, String template, H handler, Pattern pattern, List<String> names) {
    static <H> Route<H> of(String method, String template, H handler) {
      StringBuilder regex = new StringBuilder();
      List<String> names = new ArrayList<>();
      Matcher m = PARAMETER.matcher(template);
      int at = 0;
      while (m.find()) {
        String name = m.group(1);
        String pattern = PARAMETERS.get(name);
        if (pattern == null || names.contains(name)) {
          throw new IllegalArgumentException("route " + template + ": {" + name + "} is "
              + (pattern == null ? "not one of " + PARAMETERS.keySet() : "there twice"));
        }
        regex.append(Pattern.quote(template.substring(at, m.start()))).append('(').append(pattern).append(')');
        names.add(name);
        at = m.end();
      }
      regex.append(Pattern.quote(template.substring(at)));
      return new Route<>(method, template, handler, Pattern.compile(regex.toString()), List.copyOf(names));
    }

    /** The path's parameters by name if it matches this route's template, else null. */
    Map<String, String> match(String path) {
      Matcher m = pattern.matcher(path);
      if (!m.matches()) {
        return null;
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        params.put(names.get(i), m.group(i + 1));
      }
      return params;
    }

    boolean serves(String requestMethod) {
      return method.equals(requestMethod) || method.equals("GET") && requestMethod.equals("HEAD");
    }
  }

  /** What a request finds in the table. */
  sealed interface Lookup<H> {}

  /** The route that serves it, with the path's parameters. */
  record Found<H>(Route<H> route, Map<String, String> params) implements Lookup<H> {}

  /** The path is a route's, but not for this method; {@code allowed} are the methods it has, in table order. */
  record WrongMethod<H>(List<String> allowed) implements Lookup<H> {}

  /** No route has this path. */
  record NotFound<H>() implements Lookup<H> {}

  private final List<Route<H>> routes;

  RouteTable(List<Route<H>> routes) {
    this.routes = List.copyOf(routes);
  }

  Lookup<H> lookup(String method, String path) {
    List<String> allowed = new ArrayList<>();
    for (Route<H> route : routes) {
      Map<String, String> params = route.match(path);
      if (params != null) {
        if (route.serves(method)) {
          return new Found<>(route, params);
        }
        allowed.add(route.method());
      }
    }
    return allowed.isEmpty() ? new NotFound<>() : new WrongMethod<>(List.copyOf(allowed));
  }

  /** The template of the routes whose path this is, whatever the method; null if none. */
  String template(String path) {
    for (Route<H> route : routes) {
      if (route.match(path) != null) {
        return route.template();
      }
    }
    return null;
  }
}
