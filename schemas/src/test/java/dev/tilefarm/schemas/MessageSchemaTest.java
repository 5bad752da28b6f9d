package dev.tilefarm.schemas;

import static dev.tilefarm.schemas.ContractSchemas.describe;
import static dev.tilefarm.schemas.ContractSchemas.validate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the code writes on each topic matches that topic's schema and reads back as the same message. */
class MessageSchemaTest {
  private static final long T = 1_767_225_600_000L;
  private static final S3Uri OUTPUT = S3Uri.parse("s3://renders/sunset/sunset-001.png");
  private static final S3Uri TILE_URI = S3Uri.parse("s3://tilefarm/tiles/sunset-001/7.tft");
  private static final TileRect TILE = new TileRect(7, 896, 0, 128, 128);
  private static final String SHA = "5a75c1d096fc4c702adcb1eb2b2eb2feb04102a8f830e7534ed1b261c5bb0d02";

  @Test
  void everyJobEventMatchesTheSchemaAndRoundTrips() {
    List<JobEvent> events = List.of(
        new JobEvent.Accepted("sunset-001", T, "render", 60, 1280, 720, OUTPUT),
        new JobEvent.Accepted("scan-7", T, "process", 1, 100_000, 10, S3Uri.parse("s3://tilefarm/outputs/scan-7.png")),
        new JobEvent.Progress("sunset-001", T + 1, 0, 60),
        new JobEvent.Progress("sunset-001", T + 2, 60, 60),
        new JobEvent.Progress("sunset-001", T + 3, 23, 60, 0.4125),
        new JobEvent.Progress("sunset-001", T + 4, 0, 60, 0.0),
        new JobEvent.Completed("sunset-001", T + 3, OUTPUT, ImageFormat.PNG.name(), SHA, 1_482_113, 1280, 720, 60,
            new JobEvent.Timings(8120, 29_504, 311)),
        new JobEvent.Completed("m", T, S3Uri.parse("s3://r-1/m.JPEG"), ImageFormat.JPEG.name(), SHA, 0, 1, 1, 1,
            new JobEvent.Timings(0, 0, 0)),
        new JobEvent.Failed("sunset-001", T, "tile 3: renderer error", 3),
        new JobEvent.Failed("sunset-001", T, "assembling the image: out of space", null),
        new JobEvent.Rejected("bad-job", T, "ops[0].sigma", "ops[0].sigma: must be from 0.1 to 64.0, got 100"),
        new JobEvent.Rejected("bad-job", T, null, "the job could not be planned"));
    JsonSerde<JobEvent> serde = new JsonSerde<>(JobEvent.class);
    for (JobEvent event : events) {
      JsonNode json = matches("job-event", serde.encode(event));
      assertEquals(event, serde.decode(serde.encode(event)));
      assertEquals(event.terminal(), List.of("COMPLETED", "FAILED", "REJECTED").contains(json.get("status").asText()),
          "the schema's terminal statuses are JobEvent.terminal()'s");
    }
  }

  /** NON_NULL: an absent tile or field is left out, never written as null (which the schema refuses). */
  @Test
  void jobEventsOmitNullFields() {
    JsonSerde<JobEvent> serde = new JsonSerde<>(JobEvent.class);
    JsonNode failed = tree(serde.encode(new JobEvent.Failed("j", T, "r", null)));
    assertFalse(failed.has("tile"), failed.toString());
    JsonNode rejected = tree(serde.encode(new JobEvent.Rejected("j", T, null, "r")));
    assertFalse(rejected.has("field"), rejected.toString());
    assertEquals("REJECTED", rejected.get("status").asText());
  }

  @Test
  void tileTasksMatchTheSchemaAndRoundTrip() throws IOException {
    ObjectNode job = (ObjectNode) Json.MAPPER.readTree(
        "{\"id\":\"sunset-001\",\"type\":\"render\",\"width\":1280,\"height\":720,\"renderer\":\"mandelbrot\"}");
    JsonSerde<TileTask> serde = new JsonSerde<>(TileTask.class);
    S3Uri jobUri = S3Uri.parse("s3://tilefarm/jobs/sunset-001.json");
    List<TileRect> pack = List.of(new TileRect(4, 0, 8, 8, 8), new TileRect(5, 8, 8, 8, 8));
    List<TileTask> tasks = List.of(
        new TileTask("sunset-001", 60, 1280, 720, OUTPUT, TILE_URI, T, job, null, T + 600_000L,
            TileTask.Work.Tile.of(TILE)),
        new TileTask("sunset-001", 1, 8, 8, OUTPUT, TILE_URI, 0, null, jobUri, null,
            new TileTask.Work.Tile(new TileRect(0, 0, 0, 8, 8), "\"etag-1\"")),
        new TileTask("sunset-001", 60, 1280, 720, OUTPUT, TILE_URI, T, null, jobUri, null,
            new TileTask.Work.FrameTile(TILE, -3, null)),
        new TileTask("sunset-001", 60, 1280, 720, OUTPUT, TILE_URI, T, null, jobUri, null,
            new TileTask.Work.FrameTile(TILE, 12, 20)),
        new TileTask("sunset-001", 60, 1280, 720, OUTPUT, TILE_URI, T, null, jobUri, T + 1,
            new TileTask.Work.PassTile(TILE, 0, null, "\"etag-2\"")),
        new TileTask("sunset-001", 60, 1280, 720, OUTPUT, TILE_URI, T, null, jobUri, null,
            new TileTask.Work.PassTile(TILE, 2, S3Uri.parse("s3://tilefarm/tiles/sunset-001/pass-1/merged.json"),
                null)),
        new TileTask("sunset-001", 6, 48, 16, OUTPUT, TILE_URI, T, job, null, null, new TileTask.Work.Pack(pack, 4)));
    for (TileTask task : tasks) {
      JsonNode json = matches("tile-task", serde.encode(task));
      assertFalse(json.has(task.job() == null ? "job" : "jobUri"), "the other of job and jobUri is left out: " + json);
      assertEquals(TileTask.VERSION, json.get("version").asInt(), json.toString());
      assertEquals(task, serde.decode(serde.encode(task)));
    }
    // The inline job of a task is a job request, so it matches that schema too.
    assertTrue(validate("job-request", tasks.get(0).job()).isEmpty());
  }

  @Test
  void aTileTaskWithBothJobAndJobUriIsRefusedByTheSchemaAsByTheRecord() {
    ObjectNode json = (ObjectNode) tree(new JsonSerde<>(TileTask.class).encode(
        new TileTask("j", 60, 1280, 720, OUTPUT, TILE_URI, T, null, S3Uri.parse("s3://tilefarm/jobs/j.json"), null,
            TileTask.Work.Tile.of(TILE))));
    json.putObject("job").put("type", "render");
    assertFalse(validate("tile-task", json).isEmpty());
    assertThrows(UndecodableException.class, () -> new JsonSerde<>(TileTask.class).decode(bytes(json)));
  }

  @Test
  void tileResultsMatchTheSchemaAndRoundTrip() {
    JsonSerde<TileResult> serde = new JsonSerde<>(TileResult.class);
    List<TileResult> results = List.of(
        TileResult.Done.of(task("sunset-001", T), TileResult.Stored.pixels(3, 49_180, SHA, 512, "worker-a-1", null)),
        TileResult.Done.of(task("scan-7", 0), TileResult.Stored.pixels(1, 0, SHA, 0, "w", null)),
        TileResult.Done.of(task("scan-7", 0), TileResult.Stored.pixels(4, 1, SHA, 0, "w", null)),
        new TileResult.Failed("sunset-001", TILE, 60, "s3://uploads/x.png could not be decoded", "worker-b-2", T),
        new TileResult.Failed("sunset-001", TILE, 60, null, "worker-b-2", T),
        new TileResult.Progress("sunset-001", TILE, 60, 0.42, "worker-a-1", T),
        new TileResult.Progress("sunset-001", TILE, 60, 0, "worker-a-1", T),
        new TileResult.Progress("sunset-001", TILE, 60, 1, "worker-a-1", T),
        TileResult.Returned.of(task("sunset-001", T), "worker-a-1"));
    for (TileResult result : results) {
      matches("tile-result", serde.encode(result));
      assertEquals(result, serde.decode(serde.encode(result)));
    }
  }

  /**
   * A RETURNED result carries its task, whose own fields it repeats; a later pass's task or a video (the
   * compositor's) is no splitter's to take back.
   */
  @Test
  void aReturnedTaskIsOneTheSplitterReleasedAndRepeatsItsFields() {
    TileTask task = task("j", T);
    JsonNode json = tree(new JsonSerde<>(TileResult.class).encode(TileResult.Returned.of(task, "w")));
    assertEquals("RETURNED", json.get("status").asText());
    assertEquals(task, new JsonSerde<>(TileTask.class).decode(bytes((ObjectNode) json.get("task"))));
    assertThrows(IllegalArgumentException.class, () -> new TileResult.Returned("j", TILE, 60, T + 1, "w", task),
        "acceptedAt of another run");
    assertThrows(IllegalArgumentException.class, () -> new TileResult.Returned("k", TILE, 60, T, "w", task));
    S3Uri jobUri = S3Uri.parse("s3://tilefarm/jobs/j.json");
    TileTask first = new TileTask("j", 60, 1280, 720, OUTPUT, TILE_URI, T, null, jobUri, null,
        new TileTask.Work.PassTile(TILE, 0, null, null));
    TileTask later = new TileTask("j", 60, 1280, 720, OUTPUT, TILE_URI, T, null, jobUri, null,
        new TileTask.Work.PassTile(TILE, 1, S3Uri.parse("s3://tilefarm/tiles/j/pass-0/merged.json"), null));
    assertTrue(TileResult.Returned.returnable(first));
    assertFalse(TileResult.Returned.returnable(later));
    assertThrows(IllegalArgumentException.class, () -> TileResult.Returned.of(later, "w"));
  }

  /** A PROGRESS tile result carries its fraction and nothing of a DONE's or FAILED's: no log, no tile URI. */
  @Test
  void aTileProgressWritesItsFractionAndNoLog() {
    JsonNode json = tree(new JsonSerde<>(TileResult.class).encode(
        new TileResult.Progress("j", TILE, 60, 0.25, "w", T)));
    assertEquals("PROGRESS", json.get("status").asText());
    assertEquals(0.25, json.get("fraction").asDouble());
    assertEquals(Set.of("status", "jobId", "tile", "tileCount", "fraction", "worker", "acceptedAt"),
        fieldNames(json));
  }

  /** The schema's 0 to 1 is the records' too: a fraction outside it fails the schema and the decoder alike. */
  @Test
  void fractionsOutsideZeroToOneAreRefusedByTheSchemaAsByTheRecords() {
    for (double bad : new double[] {-0.01, 1.01}) {
      ObjectNode tile = (ObjectNode) tree(new JsonSerde<>(TileResult.class).encode(
          new TileResult.Progress("j", TILE, 60, 0.5, "w", T)));
      tile.put("fraction", bad);
      assertFalse(validate("tile-result", tile).isEmpty(), tile.toString());
      assertThrows(UndecodableException.class, () -> new JsonSerde<>(TileResult.class).decode(bytes(tile)));

      ObjectNode event = (ObjectNode) tree(new JsonSerde<>(JobEvent.class).encode(new JobEvent.Progress("j", T, 1, 2)));
      event.put("fraction", bad);
      assertFalse(validate("job-event", event).isEmpty(), event.toString());
      assertThrows(UndecodableException.class, () -> new JsonSerde<>(JobEvent.class).decode(bytes(event)));
    }
    assertThrows(IllegalArgumentException.class, () -> new TileResult.Progress("j", TILE, 60, Double.NaN, "w", T));
  }

  /** Finished tiles only: the short constructor's fraction is done / total. */
  @Test
  void aProgressCountingTilesOnlyHasTheirShareAsItsFraction() {
    assertEquals(0.25, new JobEvent.Progress("j", T, 15, 60).fraction());
    assertEquals(1.0, new JobEvent.Progress("j", T, 60, 60).fraction());
    JsonNode json = tree(new JsonSerde<>(JobEvent.class).encode(new JobEvent.Progress("j", T, 15, 60)));
    assertEquals(0.25, json.get("fraction").asDouble());
  }

  /** Tile results are not NON_NULL: every field is written, and a missing reason is an explicit null. */
  @Test
  void tileResultsWriteEveryField() {
    JsonNode json = tree(new JsonSerde<>(TileResult.class).encode(
        new TileResult.Failed("j", TILE, 60, null, "w", T)));
    assertTrue(json.has("reason") && json.get("reason").isNull(), json.toString());
  }

  @Test
  void deadLettersMatchTheSchemaAndRoundTrip() {
    Base64.Encoder b64 = Base64.getEncoder();
    JsonSerde<DeadLetter> serde = new JsonSerde<>(DeadLetter.class);
    List<DeadLetter> letters = List.of(
        new DeadLetter("tilefarm.jobs", 3, 1207, b64.encodeToString("sunset-001".getBytes(StandardCharsets.UTF_8)),
            b64.encodeToString(new byte[] {(byte) 0xff, 0, 1}), "not valid JSON: ...", "tile-splitter", T),
        new DeadLetter("tilefarm.tile-results", 0, 0, null, null, "the record has no value", "compositor", T),
        new DeadLetter("tilefarm.tile-tasks", 1, 2, b64.encodeToString(new byte[] {'a'}), b64.encodeToString(new byte[0]),
            "x", "render-worker", T),
        new DeadLetter("tilefarm.jobs", 1, 9, null, null, "too large", "tile-splitter", T,
            new DeadLetter.Stored("s3://b/dead-letters/tilefarm.jobs/1-9.key", 3, "a".repeat(64)),
            new DeadLetter.Stored(null, 921600, "0123456789abcdef".repeat(4))));
    for (DeadLetter letter : letters) {
      JsonNode json = matches("dead-letter", serde.encode(letter));
      assertTrue(json.has("keyBase64") && json.has("valueBase64"), "null key and value are written: " + json);
      assertTrue(json.has("keyStored") && json.has("valueStored"), "null claim checks are written: " + json);
      assertEquals(letter, serde.decode(serde.encode(letter)));
    }
  }

  @Test
  void theSchemasRefuseWhatTheDecodersRefuse() {
    // Jackson refuses unknown properties (FAIL_ON_UNKNOWN_PROPERTIES), and so does every message schema.
    ObjectNode progress = (ObjectNode) tree(new JsonSerde<>(JobEvent.class).encode(new JobEvent.Progress("j", T, 1, 2)));
    progress.put("percent", 50);
    assertFalse(validate("job-event", progress).isEmpty());
    assertThrows(UndecodableException.class, () -> new JsonSerde<>(JobEvent.class).decode(bytes(progress)));

    ObjectNode unknownStatus = (ObjectNode) tree(new JsonSerde<>(JobEvent.class).encode(new JobEvent.Progress("j", T, 1, 2)));
    unknownStatus.put("status", "PAUSED");
    assertFalse(validate("job-event", unknownStatus).isEmpty());
    assertThrows(UndecodableException.class, () -> new JsonSerde<>(JobEvent.class).decode(bytes(unknownStatus)));

    ObjectNode badTile = (ObjectNode) tree(new JsonSerde<>(TileResult.class).encode(
        new TileResult.Failed("j", TILE, 60, "r", "w", T)));
    ((ObjectNode) badTile.get("tile")).put("width", 0);
    assertFalse(validate("tile-result", badTile).isEmpty());
    assertThrows(UndecodableException.class, () -> new JsonSerde<>(TileResult.class).decode(bytes(badTile)));

    ObjectNode badUri = (ObjectNode) tree(new JsonSerde<>(TileResult.class).encode(
        TileResult.Done.of(task("j", T), TileResult.Stored.pixels(3, 1, SHA, 1, "w", null))));
    badUri.put("tileUri", "s3://tilefarm/tiles/../j/7.tft");
    assertFalse(validate("tile-result", badUri).isEmpty());
    assertThrows(UndecodableException.class, () -> new JsonSerde<>(TileResult.class).decode(bytes(badUri)));
  }

  /** A task of one tile of an image of 1280 x 720 in 60 tiles. */
  private static TileTask task(String jobId, long acceptedAt) {
    return new TileTask(jobId, 60, 1280, 720, OUTPUT, TILE_URI, acceptedAt, null,
        S3Uri.parse("s3://tilefarm/jobs/" + jobId + ".json"), null, TileTask.Work.Tile.of(TILE));
  }

  private static JsonNode matches(String schema, byte[] encoded) {
    JsonNode json = tree(encoded);
    Set<ValidationMessage> errors = validate(schema, json);
    assertTrue(errors.isEmpty(), json + ":" + describe(errors));
    return json;
  }

  private static Set<String> fieldNames(JsonNode json) {
    Set<String> names = new java.util.TreeSet<>();
    json.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode tree(byte[] bytes) {
    try {
      return ContractSchemas.PLAIN.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(JsonNode json) {
    try {
      return ContractSchemas.PLAIN.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
