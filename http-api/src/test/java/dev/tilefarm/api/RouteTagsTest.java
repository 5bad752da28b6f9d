package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RouteTagsTest {
  @Test
  void routesAreTemplatesAndEverythingElseIsOneTag() {
    assertEquals("/api/jobs", RouteTags.route("/api/jobs"));
    assertEquals("/api/jobs/{id}", RouteTags.route("/api/jobs/job-0a1b"));
    assertEquals("/api/jobs/{id}/events", RouteTags.route("/api/jobs/m1/events"));
    assertEquals("/api/jobs/{id}/tiles/{n}.png", RouteTags.route("/api/jobs/m1/tiles/12.png"));
    assertEquals("/metrics", RouteTags.route("/metrics"));
    assertEquals("static", RouteTags.route("/"));
    assertEquals("static", RouteTags.route("/app.js"));
    assertEquals("unmatched", RouteTags.route("/api/x7f3a9"), "an unknown API path");
    assertEquals("unmatched", RouteTags.route("/no-such-file-7f3a9.js"), "a dashboard file that does not exist");
    assertEquals("unmatched", RouteTags.route("/api/jobs/%2e%2e/%2e%2e/etc/passwd"));
    assertEquals("unmatched", RouteTags.route("/../../etc/passwd"));
  }

  @Test
  void unknownMethodsAreOther() {
    assertEquals("GET", RouteTags.method("GET"));
    assertEquals("DELETE", RouteTags.method("DELETE"));
    assertEquals("OTHER", RouteTags.method("FOO123"));
    assertEquals("OTHER", RouteTags.method("get"), "methods are case-sensitive");
  }
}
