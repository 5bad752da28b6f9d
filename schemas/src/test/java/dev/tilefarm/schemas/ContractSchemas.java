package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The contract's JSON Schemas as an outside system would use them: draft 2020-12, each loaded by its
 * {@code $id}, which is mapped onto the {@code schemas/} folder of the classpath so that the schemas'
 * references to one another resolve without a network.
 */
final class ContractSchemas {
  static final String BASE = "https://tilefarm.dev/schemas/";
  static final List<String> NAMES =
      List.of("job-request", "builtin-scene", "job-event", "tile-task", "tile-result", "dead-letter",
          "job-cancel", "job-control", "report", "worker-status", "s3-event", "job-schedule", "job-retry");

  /** A plain mapper, without the contract's limits: examples are read the way any client would. */
  static final ObjectMapper PLAIN = new ObjectMapper();

  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
      builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(BASE, "classpath:schemas/")));
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
  private static final Pattern SEGMENT = Pattern.compile("([^.\\[]+)|\\[(\\d+)]");

  private ContractSchemas() {}

  /** The schema named {@code name} ("job-request" for job-request.schema.json). */
  static JsonSchema schema(String name) {
    return FACTORY.getSchema(SchemaLocation.of(BASE + name + ".schema.json"), CONFIG);
  }

  /** One definition of a schema, e.g. {@code def("job-request", "s3Uri")}. */
  static JsonSchema def(String name, String definition) {
    return FACTORY.getSchema(SchemaLocation.of(BASE + name + ".schema.json#/$defs/" + definition), CONFIG);
  }

  /** The 2020-12 meta-schema (bundled with the validator). */
  static JsonSchema metaSchema() {
    return FACTORY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"), CONFIG);
  }

  static Set<ValidationMessage> validate(String name, JsonNode message) {
    JsonSchema schema = schema(name);
    schema.initializeValidators(); // fail here, not mid-validation, on a $ref that does not resolve
    return schema.validate(message);
  }

  /** The folder of the schema files, as the build put it on the test classpath. */
  static Path folder() {
    URL url = ContractSchemas.class.getClassLoader().getResource("schemas/job-request.schema.json");
    if (url == null) {
      throw new IllegalStateException("schemas/job-request.schema.json is not on the classpath");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path schemaFile(String name) {
    return folder().resolve(name + ".schema.json");
  }

  /** The {@code *.json} files directly in {@code examples/<sub>}, sorted by name. */
  static List<Path> examples(String sub) {
    Path dir = folder().resolve("examples").resolve(sub);
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json")).sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String baseName(Path file) {
    String name = file.getFileName().toString();
    return name.substring(0, name.length() - ".json".length());
  }

  static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(Path file) {
    try {
      return PLAIN.readTree(bytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(file.toString(), e);
    }
  }

  /** The JSON pointer of a decoder field path: "scene.objects[0].radius" is "/scene/objects/0/radius". */
  static String pointer(String fieldPath) {
    StringBuilder sb = new StringBuilder();
    Matcher m = SEGMENT.matcher(fieldPath);
    int end = 0;
    while (m.find()) {
      if (m.start() != end && fieldPath.charAt(end) != '.') {
        throw new IllegalArgumentException("not a field path: " + fieldPath);
      }
      sb.append('/').append(m.group(1) != null ? m.group(1) : m.group(2));
      end = m.end();
    }
    return sb.toString();
  }

  /**
   * The JSON pointer of the value a schema error is about. For "required" and "additionalProperties" errors
   * the validator reports the enclosing object and names the property separately: the pointer then ends in
   * that property, as the decoder's field does.
   */
  static String pointer(ValidationMessage message) {
    StringBuilder sb = new StringBuilder();
    JsonNodePath path = message.getInstanceLocation();
    for (int i = 0; i < path.getNameCount(); i++) {
      sb.append('/').append(path.getElement(i));
    }
    if (message.getProperty() != null
        && ("required".equals(message.getType()) || "additionalProperties".equals(message.getType()))) {
      sb.append('/').append(message.getProperty());
    }
    return sb.toString();
  }

  static String describe(Set<ValidationMessage> errors) {
    return errors.stream().map(e -> pointer(e) + " [" + e.getType() + "] " + e.getMessage())
        .collect(Collectors.joining("\n  ", "\n  ", ""));
  }
}
