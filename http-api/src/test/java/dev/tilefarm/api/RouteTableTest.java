package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tilefarm.api.RouteTable.Route;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private final RouteTable<String> table = new RouteTable<>(List.of(
      Route.of("GET", "/api/jobs", "list"),
      Route.of("POST", "/api/jobs", "submit"),
      Route.of("GET", "/api/jobs/{id}", "job"),
      Route.of("DELETE", "/api/jobs/{id}", "cancel"),
      Route.of("GET", "/api/jobs/{id}/tiles/{n}.png", "tile")));

  private RouteTable.Found<String> found(String method, String path) {
    return assertInstanceOf(RouteTable.Found.class, table.lookup(method, path), method + " " + path);
  }

  @Test
  void aPathAndMethodFindTheirHandlerWithTheNamedParameters() {
    assertEquals("submit", found("POST", "/api/jobs").route().handler());
    RouteTable.Found<String> tile = found("GET", "/api/jobs/m-1.a_b/tiles/12.png");
    assertEquals("tile", tile.route().handler());
    assertEquals(Map.of("id", "m-1.a_b", "n", "12"), tile.params());
    assertEquals("cancel", found("DELETE", "/api/jobs/j7").route().handler());
  }

  @Test
  void headIsServedByTheGetRoute() {
    assertEquals("job", found("HEAD", "/api/jobs/j7").route().handler());
  }

  @Test
  void anotherMethodOnARoutesPathListsTheAllowedOnes() {
    var wrong = assertInstanceOf(RouteTable.WrongMethod.class, table.lookup("PUT", "/api/jobs/j7"));
    assertEquals(List.of("GET", "DELETE"), wrong.allowed());
    assertInstanceOf(RouteTable.WrongMethod.class, table.lookup("POST", "/api/jobs/j7/tiles/1.png"));
  }

  @Test
  void parametersMatchOnlyWhatTheyMayBe() {
    for (String path : List.of("/api/jobs/", "/api/jobs/-leading-dash", "/api/jobs/a/b", "/api/jobs/%2e%2e",
        "/api/jobs/" + "x".repeat(129), "/api/jobs/j/tiles/12345678.png", "/api/jobs/j/tiles/1.pngx",
        "/api/jobs/j/tiles/a.png", "/api/jobsx")) {
      assertInstanceOf(RouteTable.NotFound.class, table.lookup("GET", path), path);
    }
    assertInstanceOf(RouteTable.Found.class, table.lookup("GET", "/api/jobs/" + "x".repeat(128)));
  }

  @Test
  void aTemplateIsFoundWhateverTheMethod() {
    assertEquals("/api/jobs/{id}/tiles/{n}.png", table.template("/api/jobs/j/tiles/3.png"));
    assertEquals("/api/jobs/{id}", table.template("/api/jobs/j"));
    assertNull(table.template("/api/nope"));
  }

  @Test
  void aTemplateMayUseOnlyKnownParametersOnce() {
    var unknown = assertThrows(IllegalArgumentException.class, () -> Route.of("GET", "/a/{name}", "x"));
    assertEquals("route /a/{name}: {name} is not one of " + RouteTable.PARAMETERS.keySet(), unknown.getMessage());
    var twice = assertThrows(IllegalArgumentException.class, () -> Route.of("GET", "/a/{id}/{id}", "x"));
    assertEquals("route /a/{id}/{id}: {id} is there twice", twice.getMessage());
  }

  /** openapi.yaml's {index} is the table's {n}; /healthz is for probes, not part of the documented API. */
  @Test
  void theTableAndOpenApiYamlHaveTheSameRoutes() throws Exception {
    JsonNode paths;
    try (var in = Routes.class.getResourceAsStream("/openapi.yaml")) {
      paths = new ObjectMapper(new YAMLFactory()).readTree(in).get("paths");
    }
    Set<String> documented = new TreeSet<>();
    paths.properties().forEach(p -> p.getValue().fieldNames().forEachRemaining(method -> {
      if (Set.of("get", "post", "put", "delete", "patch").contains(method)) {
        documented.add(method.toUpperCase(Locale.ROOT) + " " + p.getKey().replace("{index}", "{n}"));
      }
    }));
    Set<String> routed = new TreeSet<>();
    for (String template : List.of("/metrics", "/api/health", "/api/jobs", "/api/uploads", "/api/events",
        "/api/workers", "/api/stats", "/api/dead-letters", "/api/jobs/{id}", "/api/jobs/{id}/events",
        "/api/jobs/{id}/cancel", "/api/jobs/{id}/retry", "/api/jobs/{id}/output", "/api/jobs/{id}/output-url",
        "/api/jobs/{id}/logs", "/api/jobs/{id}/tiles/{n}.png", "/api/jobs/{id}/pause", "/api/jobs/{id}/resume",
        "/api/jobs/{id}/priority", "/api/jobs/{id}/video")) {
      String path = template.replace("{id}", "j1").replace("{n}", "3");
      for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
        if (Routes.TABLE.lookup(method, path) instanceof RouteTable.Found<Routes.Handler> f) {
          routed.add(method + " " + f.route().template());
        }
      }
    }
    assertEquals(documented, routed);
  }

  @Test
  void everyApiRouteIsInTheTable() {
    assertEquals("/api/jobs/{id}/output-url", Routes.TABLE.template("/api/jobs/j/output-url"));
    assertEquals("/openapi.yaml", Routes.TABLE.template("/openapi.yaml"));
    assertInstanceOf(RouteTable.WrongMethod.class, Routes.TABLE.lookup("GET", "/api/uploads"));
    assertInstanceOf(RouteTable.WrongMethod.class, Routes.TABLE.lookup("GET", "/api/jobs/j/cancel"));
  }
}
