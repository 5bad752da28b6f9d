package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.TileKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job events written by someone other than the farm, and jobs naming each other's outputs, against the whole farm
 * (real embedded broker and S3 server, every role): a forged FAILED does not stop a job, a forged COMPLETED gets
 * no object out of {@code tilefarm get}, and no job takes over another's default output.
 */
class ForgedEventsIT {
  @TempDir
  static Path dir;
  static TestFarm farm;

  @BeforeAll
  static void start() throws Exception {
    // Confined outputs: the reservation of default outputs holds even where outputs/ is an allowed location.
    farm = TestFarm.start(dir, 1, Map.of("limits.output-locations", "tilefarm/outputs/,gallery"));
  }

  @AfterAll
  static void stop() {
    if (farm != null) {
      farm.close();
    }
  }

  private static KafkaProducer<String, byte[]> forger() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, farm.farm.settings().bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer());
  }

  private static void forge(KafkaProducer<String, byte[]> forger, JobEvent event) throws Exception {
    var topic = farm.farm.settings().topics().jobEvents();
    forger.send(new ProducerRecord<>(topic.name(), event.jobId(), topic.valueSerde().serializer()
        .serialize(topic.name(), event))).get();
  }

  @Test
  void aForgedFailedDoesNotStopTheJob() throws Exception {
    String id = "forged-failed-1";
    try (KafkaProducer<String, byte[]> forger = forger()) {
      // Before the job is even submitted: workers that believed job events would skip every one of its tiles.
      forge(forger, new JobEvent.Failed(id, System.currentTimeMillis(), "forged", null));
      Thread.sleep(2000);
    }
    JobEvent end;
    try (JobClient client = new JobClient(farm.farm.settings())) {
      client.submit(TestFarm.json("{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
          + "\"width\":128,\"height\":96,\"tileSize\":32}"));
      end = awaitCompleted(client, id);
    }
    JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, end, String.valueOf(end));
    assertEquals(12, c.tiles());
  }

  /**
   * A tombstone and the JSON literal null keyed by a job's id on the job events topic, which anyone who may write
   * it can publish: {@code submit --wait} and {@code status} skip them (both failed with a NullPointerException
   * and its stack trace, exit code 5).
   */
  @Test
  void aTombstoneOrJsonNullOnJobEventsStopsNeitherSubmitWaitNorStatus() throws Exception {
    String id = "event-tombstone-1";
    var topic = farm.farm.settings().topics().jobEvents();
    try (KafkaProducer<String, byte[]> forger = forger()) {
      forger.send(new ProducerRecord<>(topic.name(), id, null)).get();
      forger.send(new ProducerRecord<>(topic.name(), id, "null".getBytes(StandardCharsets.UTF_8))).get();
    }
    Path job = dir.resolve(id + ".json");
    Files.writeString(job, "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
        + "\"width\":64,\"height\":64,\"tileSize\":32}");
    Cli submit = cli("submit", job.toString(), "--wait");
    assertEquals(0, submit.code(), submit.stderr());
    Cli status = cli("status", id);
    assertEquals(0, status.code(), status.stderr());
    assertFalse(status.stderr().contains("NullPointerException"), status.stderr());
  }

  @Test
  void aForgedCompletedGetsNoObjectOutOfGet() throws Exception {
    farm.farm.blobs().ensureBucket("other-bucket");
    S3Uri secret = S3Uri.parse("s3://other-bucket/secret.png");
    byte[] bytes = "not for you".getBytes(StandardCharsets.UTF_8);
    farm.farm.blobs().put(secret, bytes, "image/png");
    String id = "forged-completed-1";
    try (KafkaProducer<String, byte[]> forger = forger()) {
      forge(forger, new JobEvent.Completed(id, System.currentTimeMillis(), secret, "PNG", sha256(bytes), bytes.length,
          1, 1, 1, new JobEvent.Timings(1, 1, 1)));
    }
    Path out = dir.resolve("stolen.png");
    Cli get = cli("get", id, "-o", out.toString());
    assertEquals(7, get.code(), get.stderr());
    assertTrue(get.stderr().contains("the output of job forged-completed-1 is not saved: s3://other-bucket/secret.png "
        + "was not written by this farm for job forged-completed-1"), get.stderr());
    assertFalse(Files.exists(out), "nothing is written");
  }

  /**
   * Forged COMPLETED events before and after the farm's own do not keep a job's owner from its image: {@code get}
   * tries each, newest first, and saves the one that is the job's (it took the first and exited 7, while the API
   * served the image).
   */
  @Test
  void forgedCompletedEventsAroundTheRealOneDoNotHideItFromGet() throws Exception {
    farm.farm.blobs().ensureBucket("other-bucket");
    S3Uri secret = S3Uri.parse("s3://other-bucket/secret-2.png");
    byte[] bytes = "not for you".getBytes(StandardCharsets.UTF_8);
    farm.farm.blobs().put(secret, bytes, "image/png");
    String id = "forged-around-1";
    JobEvent.Completed forged = new JobEvent.Completed(id, System.currentTimeMillis(), secret, "PNG", sha256(bytes),
        bytes.length, 1, 1, 1, new JobEvent.Timings(1, 1, 1));
    Path job = dir.resolve(id + ".json");
    Files.writeString(job, "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
        + "\"width\":64,\"height\":48,\"tileSize\":32}");
    try (KafkaProducer<String, byte[]> forger = forger()) {
      forge(forger, forged);
      assertEquals(0, cli("submit", job.toString(), "--wait").code());
      forge(forger, forged);
    }
    Path out = dir.resolve("around.png");
    Cli get = cli("get", id, "-o", out.toString());
    assertEquals(0, get.code(), get.stderr());
    byte[] real = farm.farm.blobs().get(S3Uri.parse("s3://tilefarm/outputs/" + id + ".png"));
    assertEquals(sha256(real), sha256(Files.readAllBytes(out)));
  }

  @Test
  void noJobTakesAnotherJobsDefaultOutput() throws Exception {
    try (JobClient client = new JobClient(farm.farm.settings())) {
      client.submit(TestFarm.json("{\"id\":\"owner-a\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
          + "\"width\":64,\"height\":48}"));
      JobEvent.Completed a = assertInstanceOf(JobEvent.Completed.class, awaitCompleted(client, "owner-a"));
      assertEquals(TileKeys.defaultOutput("tilefarm", "owner-a"), a.output());

      client.submit(TestFarm.json("{\"id\":\"owner-b\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
          + "\"width\":64,\"height\":48,\"output\":\"" + a.output() + "\"}"));
      JobEvent end = awaitEnd(client, "owner-b");
      JobEvent.Rejected rejected = assertInstanceOf(JobEvent.Rejected.class, end, String.valueOf(end));
      assertEquals("output", rejected.field());
      assertTrue(rejected.reason().contains("is reserved for the default output of job 'owner-a'"), rejected.reason());
      assertEquals(a.sha256(), sha256(farm.farm.blobs().get(a.output())), "owner-a's image is intact");

      // And tilefarm get hands out owner-a's own image.
      Path out = dir.resolve("owner-a.png");
      Cli get = cli("get", "owner-a", "-o", out.toString());
      assertEquals(0, get.code(), get.stderr());
      assertEquals(a.sha256(), sha256(Files.readAllBytes(out)));
    }
  }

  private static JobEvent awaitCompleted(JobClient client, String id) throws Exception {
    long deadline = System.nanoTime() + TestFarm.TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      List<JobEvent> events = client.history(id);
      for (JobEvent e : events) {
        if (e instanceof JobEvent.Completed) {
          return e;
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError("job " + id + " did not complete within " + TestFarm.TIMEOUT + ": " + client.history(id));
  }

  private static JobEvent awaitEnd(JobClient client, String id) throws Exception {
    long deadline = System.nanoTime() + TestFarm.TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (JobEvent e : client.history(id)) {
        if (e.terminal()) {
          return e;
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError("job " + id + " did not end within " + TestFarm.TIMEOUT);
  }

  /** Runs the CLI against the test farm (as a client of its broker and S3 server). */
  private static Cli cli(String... args) throws Exception {
    return Cli.onFarm(farm, dir, Map.of("limits.output-locations", "tilefarm/outputs/,gallery"), e -> { }, args);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
