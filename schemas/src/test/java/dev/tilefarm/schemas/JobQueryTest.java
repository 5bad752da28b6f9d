package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job's JSON is compared as it is published: numbers as the parameter wrote them. */
class JobQueryTest {
  private static final S3Uri INPUT = S3Uri.parse("s3://farm/uploads/abc.png");

  @Test
  void anOpSpecTypesItsValues() {
    assertEquals("{\"op\":\"grayscale\"}", JobQuery.op("grayscale").toString());
    assertEquals("{\"op\":\"grayscale\"}", JobQuery.op("grayscale:").toString(), "a colon with nothing after it");
    assertEquals("{\"op\":\"gaussian-blur\",\"sigma\":2.5}", JobQuery.op("gaussian-blur:sigma=2.5").toString());
    assertEquals("{\"op\":\"threshold\",\"value\":128,\"inverse\":true,\"mode\":\"otsu\"}",
        JobQuery.op("threshold:value=128, inverse = true,mode=otsu").toString());
  }

  @Test
  void anOpSpecWithoutAKeyNamesTheOpParameter() {
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> JobQuery.op("resize:=3"));
    assertEquals("op", e.field());
    assertEquals("'resize:=3': expected NAME:key=value,...", e.reason());
    assertEquals("op", assertThrows(InvalidJobException.class, () -> JobQuery.op("resize:width")).field());
  }

  @Test
  void opsComeFromTheJsonArrayThenTheOpParametersInOrder() {
    ArrayNode ops = JobQuery.ops(Map.of("ops", List.of("[{\"op\":\"invert\"}]"),
        "op", List.of("grayscale", "gaussian-blur:sigma=2")));
    assertEquals("[{\"op\":\"invert\"},{\"op\":\"grayscale\"},{\"op\":\"gaussian-blur\",\"sigma\":2}]",
        ops.toString());
  }

  @Test
  void malformedOrMissingOpsNameTheirParameter() {
    InvalidJobException notJson = assertThrows(InvalidJobException.class,
        () -> JobQuery.ops(Map.of("ops", List.of("[{"))));
    assertEquals("ops", notJson.field());
    assertTrue(notJson.reason().startsWith("is not a JSON array of ops: "), notJson.reason());
    InvalidJobException notArray = assertThrows(InvalidJobException.class,
        () -> JobQuery.ops(Map.of("ops", List.of("{\"op\":\"invert\"}"))));
    assertEquals("ops", notArray.field());
    assertEquals("must be a JSON array of {\"op\": NAME, ...} objects", notArray.reason());
    InvalidJobException none = assertThrows(InvalidJobException.class, () -> JobQuery.ops(Map.of()));
    assertEquals("op", none.field());
    assertEquals("give at least one op, e.g. ?op=gaussian-blur:sigma=2.5&op=grayscale", none.reason());
  }

  @Test
  void aProcessJobTakesItsFieldsFromTheQuery() {
    ArrayNode ops = JobQuery.ops(Map.of("op", List.of("grayscale")));
    assertEquals("{\"id\":\"job-1\",\"type\":\"process\",\"input\":\"s3://farm/uploads/abc.png\","
            + "\"ops\":[{\"op\":\"grayscale\"}]}",
        JobQuery.process(Map.of(), ops, INPUT, "job-1").toString());
    assertEquals("{\"id\":\"mine\",\"type\":\"process\",\"input\":\"s3://farm/uploads/abc.png\","
            + "\"ops\":[{\"op\":\"grayscale\"}],\"tileSize\":64,\"output\":\"s3://farm/out/x.png\"}",
        JobQuery.process(Map.of("id", List.of("mine"), "tileSize", List.of("64"),
            "output", List.of("s3://farm/out/x.png")), ops, INPUT, "job-1").toString());
  }

  @Test
  void theJobItBuildsDecodes() {
    ArrayNode ops = JobQuery.ops(Map.of("op", List.of("gaussian-blur:sigma=2.5", "grayscale")));
    JobRequest job = JobCodec.decode(JobQuery.process(Map.of("tileSize", List.of("128")), ops, INPUT, "job-2"), null);
    JobRequest.Process process = (JobRequest.Process) job;
    assertEquals("job-2", process.id());
    assertEquals(INPUT, process.input());
    assertEquals(128, process.tileSize());
    assertEquals(2, process.ops().size());
  }

  @Test
  void aTileSizeThatIsNoIntegerNamesTileSize() {
    ArrayNode ops = JobQuery.ops(Map.of("op", List.of("grayscale")));
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> JobQuery.process(Map.of("tileSize", List.of("big")), ops, INPUT, "job-3"));
    assertEquals("tileSize", e.field());
    assertEquals("must be an integer, got 'big'", e.reason());
  }
}
