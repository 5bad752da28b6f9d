package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The OpenAPI document is valid OpenAPI 3.0, and every path in it is a route the server has. */
class OpenApiDocumentTest {
  static JsonNode doc() throws IOException {
    return new YAMLMapper().readTree(OpenApiDocumentTest.class.getResourceAsStream("/openapi.yaml"));
  }

  @Test
  void isValidOpenApi() throws IOException {
    var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(
        OpenApiDocumentTest.class.getResourceAsStream("/vendored-schemas/openapi-3.0.schema.json"));
    var errors = schema.validate(doc());
    assertTrue(errors.isEmpty(), errors.toString());
  }

  @Test
  void everyDocumentedPathIsRouted() throws IOException {
    Iterator<String> paths = doc().get("paths").fieldNames();
    int n = 0;
    while (paths.hasNext()) {
      String path = paths.next().replace("{id}", "job-1").replace("{index}", "3");
      assertNotEquals(RouteTags.UNMATCHED, RouteTags.route(path), path + " is documented but not routed");
      assertNotEquals("static", RouteTags.route(path), path + " is documented but not routed");
      n++;
    }
    assertEquals(15, n, "paths documented");
    for (String route : Set.of("/api/jobs/{id}", "/api/jobs/{id}/events", "/api/jobs/{id}/tiles/{n}.png",
        "/api/jobs/{id}/logs")) {
      assertTrue(doc().get("paths").has(route.replace("{n}", "{index}")), route + " is documented");
    }
  }
}
