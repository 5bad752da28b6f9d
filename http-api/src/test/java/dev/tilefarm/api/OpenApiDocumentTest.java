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
    assertEquals(20, n, "paths documented");
    for (String route : Set.of("/api/jobs/{id}", "/api/jobs/{id}/events", "/api/jobs/{id}/tiles/{n}.png",
        "/api/jobs/{id}/logs")) {
      assertTrue(doc().get("paths").has(route.replace("{n}", "{index}")), route + " is documented");
    }
  }

  @Test
  void theDocumentedJobStatusesAreTheEnums() throws IOException {
    java.util.List<String> documented = new java.util.ArrayList<>();
    doc().at("/components/schemas/JobStatus/enum").forEach(n -> documented.add(n.asText()));
    assertEquals(java.util.Arrays.stream(dev.tilefarm.schemas.JobStatus.values()).map(Enum::name).toList(),
        documented);
  }

  /** The document as served names the server it came from, and is still valid OpenAPI. */
  @Test
  void theServedDocumentNamesItsServer() throws IOException {
    byte[] raw;
    try (var in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.yaml")) {
      raw = in.readAllBytes();
    }
    JsonNode served = new YAMLMapper().readTree(OpenApiDocument.servedFrom(raw, "farm.example.org:9443", "https",
        "127.0.0.1:1"));
    assertEquals(1, served.get("servers").size());
    assertEquals("https://farm.example.org:9443", served.at("/servers/0/url").asText());
    assertEquals(doc().get("paths"), served.get("paths"), "nothing else changes");
    var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(
        OpenApiDocumentTest.class.getResourceAsStream("/vendored-schemas/openapi-3.0.schema.json"));
    assertTrue(schema.validate(served).isEmpty());
    // A Host that is not a host name (a client's garbage) is not echoed into the document.
    JsonNode odd = new YAMLMapper().readTree(OpenApiDocument.servedFrom(raw, "x\"y: z", null, "127.0.0.1:1"));
    assertEquals("http://127.0.0.1:1", odd.at("/servers/0/url").asText());
  }
}
