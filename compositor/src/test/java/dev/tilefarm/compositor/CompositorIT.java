package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TopicAdmin;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.TileCodec;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.store.TileKeys;
import dev.tilefarm.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compositor alone against the real embedded broker and S3 server: tile results published by a plain
 * producer, events read back read-committed. One partition per topic, so a later job's COMPLETED proves
 * that nothing more came for the jobs before it — no waiting for silence.
 */
class CompositorIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final JsonSerde<TileResult> RESULTS = new JsonSerde<>(TileResult.class);
  private static final JsonSerde<dev.tilefarm.schemas.JobControl> CONTROLS =
      new JsonSerde<>(dev.tilefarm.schemas.JobControl.class);

  @TempDir
  Path dir;
  private final Topics topics = new Topics("it.");

  @Test
  void completesOnceThroughDuplicatesGarbageAndRestarts() throws Exception {
    try (TestStack stack = TestStack.start(dir, "key", "secret-key", "farm");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new StringSerializer(),
            new ByteArraySerializer());
        KafkaConsumer<String, JobEvent> events = consumer(stack, topics.jobEvents().valueSerde().deserializer());
        KafkaConsumer<String, DeadLetter> dead = consumer(stack, topics.deadLetter().valueSerde().deserializer())) {
      BlobStore blobs = stack.blobs();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        TopicAdmin.ensure(admin, topics, new TopicLayout(1, Map.of(), (short) -1));
      }
      events.subscribe(List.of(topics.jobEvents().name()));
      dead.subscribe(List.of(topics.deadLetter().name()));
      CompositorConfig config = new CompositorConfig(stack.bootstrapServers(), topics, dir.resolve("state"),
          CompositorConfig.DEFAULT_PROGRESS_INTERVAL, CompositorConfig.DEFAULT_COMMIT_INTERVAL, Map.of());

      TileImage image = TestImages.image(150, 100, 4, 42);
      List<TileResult.Done> big = storedJob(blobs, "big", image, 32, S3Uri.parse("s3://farm/outputs/big.png"));
      List<JobEvent> seen = new ArrayList<>();
      try (Compositor compositor = Compositor.start(config, blobs)) {
        compositor.awaitRunning(WAIT);
        plan(producer, big);
        producer.send(new ProducerRecord<>(topics.tileResults().name(), "junk",
            "{\"status\":\"DONE\",".getBytes(StandardCharsets.UTF_8)));
        List<TileResult.Done> order = new ArrayList<>(big);
        order.add(big.get(3));
        Collections.shuffle(order, new Random(7));
        order.forEach(r -> send(producer, r));
        order.forEach(r -> send(producer, r)); // every result twice more, before and after the last tile
        producer.flush();
        seen.addAll(readUntil(events, e -> e instanceof JobEvent.Completed && e.jobId().equals("big")));
        DeadLetter letter = readUntil(dead, d -> true).get(0);
        assertEquals("junk", new String(java.util.Base64.getDecoder().decode(letter.keyBase64()), StandardCharsets.UTF_8));
        assertEquals("compositor", letter.role());
      }

      JobEvent.Completed completed = (JobEvent.Completed) seen.get(seen.size() - 1);
      byte[] png = blobs.get(completed.output());
      assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png)), completed.sha256());
      assertEquals(png.length, completed.bytes());
      assertArrayEquals(image.pixels(), TestImages.decode(png).pixels());

      // A restart on the same state, then one on an empty state directory (the store comes back from its
      // changelog): late duplicates of the finished job change nothing, while new jobs still complete.
      for (String round : List.of("same-state", "fresh-state")) {
        CompositorConfig restarted = round.equals("same-state") ? config
            : new CompositorConfig(config.bootstrapServers(), config.topics(), dir.resolve(round),
                config.progressInterval(), config.commitInterval(), config.kafkaOverrides());
        try (Compositor compositor = Compositor.start(restarted, blobs)) {
          compositor.awaitRunning(WAIT);
          big.forEach(r -> send(producer, r));
          List<TileResult.Done> marker = storedJob(blobs, "marker-" + round, TestImages.image(20, 20, 1, 1), 16,
              S3Uri.parse("s3://farm/outputs/marker-" + round + ".png"));
          plan(producer, marker);
          marker.forEach(r -> send(producer, r));
          producer.flush();
          seen.addAll(readUntil(events, e -> e instanceof JobEvent.Completed && e.jobId().equals("marker-" + round)));
        }
      }
      long bigCompleted = seen.stream().filter(e -> e instanceof JobEvent.Completed && e.jobId().equals("big")).count();
      assertEquals(1, bigCompleted, seen.toString());
      assertTrue(seen.stream().noneMatch(e -> e instanceof JobEvent.Failed), seen.toString());
      assertEquals(3, seen.stream().filter(e -> e instanceof JobEvent.Completed).count(), seen.toString());
    }
  }

  /**
   * Forged DONE results, one naming an attacker's object in another bucket and one naming the tile's own object
   * with the attacker's sha256, come in before the real ones: both are dead-lettered with the reason, and the job
   * completes with its true pixels, byte for byte the image of the same job without them.
   */
  @Test
  void forgedResultsAreDeadLetteredAndTheJobCompletesWithItsTruePixels() throws Exception {
    try (TestStack stack = TestStack.start(dir, "key", "secret-key", "farm");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new StringSerializer(),
            new ByteArraySerializer());
        KafkaConsumer<String, JobEvent> events = consumer(stack, topics.jobEvents().valueSerde().deserializer());
        KafkaConsumer<String, DeadLetter> dead = consumer(stack, topics.deadLetter().valueSerde().deserializer())) {
      BlobStore blobs = stack.blobs();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        TopicAdmin.ensure(admin, topics, new TopicLayout(1, Map.of(), (short) -1));
      }
      events.subscribe(List.of(topics.jobEvents().name()));
      dead.subscribe(List.of(topics.deadLetter().name()));
      CompositorConfig config = new CompositorConfig(stack.bootstrapServers(), topics, dir.resolve("state"),
          CompositorConfig.DEFAULT_PROGRESS_INTERVAL, CompositorConfig.DEFAULT_COMMIT_INTERVAL, Map.of());
      TileImage image = TestImages.image(64, 48, 3, 11);
      List<TileResult.Done> reference = storedJob(blobs, "reference", image, 16,
          S3Uri.parse("s3://farm/outputs/reference.png"));
      List<TileResult.Done> victim = storedJob(blobs, "victim", image, 16, S3Uri.parse("s3://farm/outputs/victim.png"));
      TileResult.Done real = victim.get(1); // in the image's noisy top third: the attacker's pixels differ there
      blobs.ensureBucket("attacker");
      byte[] evil = TileCodec.encode(TestImages.crop(TestImages.image(64, 48, 3, 666), real.tile()));
      S3Uri attackerObject = S3Uri.parse("s3://attacker/evil.tft");
      blobs.put(attackerObject, evil, "application/octet-stream");

      try (Compositor compositor = Compositor.start(config, blobs)) {
        compositor.awaitRunning(WAIT);
        plan(producer, reference);
        reference.forEach(r -> send(producer, r));
        producer.flush();
        JobEvent.Completed fine = (JobEvent.Completed) last(readUntil(events,
            e -> e instanceof JobEvent.Completed && e.jobId().equals("reference")));

        plan(producer, victim);
        send(producer, Results.done(Results.task("victim", real.tile(), real.tileCount(), 64, 48,
            S3Uri.parse("s3://attacker/out.png"), attackerObject, real.acceptedAt()), 3, evil.length,
            TileCheck.sha256(evil), 1, "mallory"));
        send(producer, Results.done(Results.task("victim", real.tile(), real.tileCount(), 64, 48, real.output(),
            real.tileUri(), real.acceptedAt()), 3, evil.length, TileCheck.sha256(evil), 1, "mallory"));
        victim.forEach(r -> send(producer, r));
        producer.flush();
        List<JobEvent> seen = readUntil(events, e -> e instanceof JobEvent.Completed && e.jobId().equals("victim"));
        assertTrue(seen.stream().noneMatch(e -> e instanceof JobEvent.Failed), seen.toString());
        JobEvent.Completed completed = (JobEvent.Completed) last(seen);
        List<DeadLetter> letters = readUntil(dead, d -> d.error().contains("sha256"));
        assertEquals(List.of("a forged or stray tile result: tile 1 of job victim: the result names " + attackerObject
            + ", but the tile's object is s3://farm/tiles/victim/1.tft",
            "a forged or stray tile result: tile 1 of job victim: the result gives sha256 " + TileCheck.sha256(evil)
            + ", but s3://farm/tiles/victim/1.tft has " + real.sha256()),
            letters.stream().map(DeadLetter::error).toList());
        assertEquals(S3Uri.parse("s3://farm/outputs/victim.png"), completed.output());
        byte[] png = blobs.get(completed.output());
        assertEquals(fine.sha256(), completed.sha256(), "the same image as the job's without forged results");
        assertEquals(TileCheck.sha256(png), completed.sha256());
        assertArrayEquals(image.pixels(), TestImages.decode(png).pixels());
        assertEquals(-1, blobs.size(S3Uri.parse("s3://attacker/out.png")), "nothing was written where a result said");
      }
    }
  }

  /** Outputs have owners: job B naming the object job A wrote fails, and A's object is left as it was. */
  @Test
  void aJobNeverOverwritesAnotherJobsOutput() throws Exception {
    try (TestStack stack = TestStack.start(dir, "key", "secret-key", "farm");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new StringSerializer(),
            new ByteArraySerializer());
        KafkaConsumer<String, JobEvent> events = consumer(stack, topics.jobEvents().valueSerde().deserializer())) {
      BlobStore blobs = stack.blobs();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        TopicAdmin.ensure(admin, topics, new TopicLayout(1, Map.of(), (short) -1));
      }
      events.subscribe(List.of(topics.jobEvents().name()));
      CompositorConfig config = new CompositorConfig(stack.bootstrapServers(), topics, dir.resolve("state"),
          CompositorConfig.DEFAULT_PROGRESS_INTERVAL, CompositorConfig.DEFAULT_COMMIT_INTERVAL, Map.of());
      blobs.ensureBucket("gallery");
      S3Uri shared = S3Uri.parse("s3://gallery/final.png");
      List<TileResult.Done> a = storedJob(blobs, "job-a", TestImages.image(32, 32, 3, 1), 16, shared);
      List<TileResult.Done> b = storedJob(blobs, "job-b", TestImages.image(32, 32, 3, 2), 16, shared);
      try (Compositor compositor = Compositor.start(config, blobs)) {
        compositor.awaitRunning(WAIT);
        plan(producer, a);
        a.forEach(r -> send(producer, r));
        producer.flush();
        JobEvent.Completed first = (JobEvent.Completed) last(readUntil(events, e -> e instanceof JobEvent.Completed));
        assertEquals("job-a", blobs.head(shared).metadata().get(ImageSink.JOB_METADATA));
        plan(producer, b);
        b.forEach(r -> send(producer, r));
        producer.flush();
        JobEvent.Failed failed = (JobEvent.Failed) last(readUntil(events, e -> e instanceof JobEvent.Failed));
        assertEquals("job-b", failed.jobId());
        assertEquals("assembling the image: output s3://gallery/final.png was written by job job-a, and a job never "
            + "overwrites another job's output", failed.reason());
        assertEquals(first.sha256(), TileCheck.sha256(blobs.get(shared)), "job-a's image is intact");
      }
    }
  }

  /**
   * The janitor deletes a job's tiles on the compositor's own ENDED record only: a FAILED forged on the job events
   * topic leaves a live job's tiles alone, and the job completes; its real end then has them deleted.
   */
  @Test
  void aForgedFailedEventDeletesNoTiles() throws Exception {
    try (TestStack stack = TestStack.start(dir, "key", "secret-key", "farm");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new StringSerializer(),
            new ByteArraySerializer());
        KafkaConsumer<String, JobEvent> events = consumer(stack, topics.jobEvents().valueSerde().deserializer())) {
      BlobStore blobs = stack.blobs();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        TopicAdmin.ensure(admin, topics, new TopicLayout(1, Map.of(), (short) -1));
      }
      events.subscribe(List.of(topics.jobEvents().name()));
      CompositorConfig config = new CompositorConfig(stack.bootstrapServers(), topics, dir.resolve("state"),
          CompositorConfig.DEFAULT_PROGRESS_INTERVAL, CompositorConfig.DEFAULT_COMMIT_INTERVAL, Map.of());
      List<TileResult.Done> tiles = storedJob(blobs, "live", TestImages.image(48, 32, 3, 4), 16,
          S3Uri.parse("s3://farm/outputs/live.png"));
      try (Compositor compositor = Compositor.start(config, blobs)) {
        compositor.awaitRunning(WAIT);
        plan(producer, tiles);
        send(producer, tiles.get(0));
        JobEvent forged = new JobEvent.Failed("live", System.currentTimeMillis(), "forged", null);
        producer.send(new ProducerRecord<>(topics.jobEvents().name(), "live",
            topics.jobEvents().valueSerde().serializer().serialize(null, forged)));
        producer.flush();
        readUntil(events, e -> e instanceof JobEvent.Failed); // the forged one, committed and readable
        Thread.sleep(3000); // the janitor polls every half second
        for (TileResult.Done t : tiles) {
          assertTrue(blobs.size(t.tileUri()) >= 0, t.tileUri() + " was deleted");
        }
        tiles.forEach(r -> send(producer, r));
        producer.flush();
        JobEvent.Completed completed = (JobEvent.Completed) last(readUntil(events,
            e -> e instanceof JobEvent.Completed));
        assertEquals("live", completed.jobId());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!blobs.list("farm", TileKeys.tilePrefix("live")).isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        assertEquals(List.of(), blobs.list("farm", TileKeys.tilePrefix("live")), "the real end deletes them");
      }
    }
  }

  private static <V> V last(List<V> values) {
    return values.get(values.size() - 1);
  }

  /**
   * Workers' reports on tiles they are still making raise the job's PROGRESS; the reports are held in memory
   * only, but across a restart the fraction published stays the floor, and the job still completes once.
   */
  @Test
  void inTileProgressRaisesProgressAndDoesNotGoBackAfterARestart() throws Exception {
    try (TestStack stack = TestStack.start(dir, "key", "secret-key", "farm");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new StringSerializer(),
            new ByteArraySerializer());
        KafkaConsumer<String, JobEvent> events = consumer(stack, topics.jobEvents().valueSerde().deserializer())) {
      BlobStore blobs = stack.blobs();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        TopicAdmin.ensure(admin, topics, new TopicLayout(1, Map.of(), (short) -1));
      }
      events.subscribe(List.of(topics.jobEvents().name()));
      CompositorConfig config = new CompositorConfig(stack.bootstrapServers(), topics, dir.resolve("state"),
          CompositorConfig.DEFAULT_PROGRESS_INTERVAL, CompositorConfig.DEFAULT_COMMIT_INTERVAL, Map.of());
      TileImage image = TestImages.image(40, 40, 3, 5);
      S3Uri output = S3Uri.parse("s3://farm/outputs/slow.png");
      List<TileResult.Done> tiles = storedJob(blobs, "slow", image, 20, output);
      assertEquals(4, tiles.size());
      JsonSerde<dev.tilefarm.schemas.JobControl> controls = new JsonSerde<>(dev.tilefarm.schemas.JobControl.class);
      List<JobEvent.Progress> progress = new ArrayList<>();

      try (Compositor compositor = Compositor.start(config, blobs)) {
        compositor.awaitRunning(WAIT);
        producer.send(new ProducerRecord<>(topics.jobControl().name(), "slow", controls.encode(
            new dev.tilefarm.schemas.JobControl.Planned("slow", System.currentTimeMillis(), 4, 40, 40, output, null))));
        producer.flush();
        // The plan and the reports are on two topics, and a report on a job not planned yet is dropped: repeat
        // the reports until they count (a repeat of a known report is no news).
        long deadline = System.nanoTime() + WAIT.toNanos();
        while ((progress.isEmpty() || progress.get(progress.size() - 1).fraction() < 0.4 - 1e-9)
            && System.nanoTime() < deadline) {
          for (int i = 0; i < 2; i++) {
            send(producer, new TileResult.Progress("slow", tiles.get(i).tile(), 4, 0.8, "it", 0));
          }
          producer.flush();
          for (var r : events.poll(Duration.ofSeconds(1))) {
            progress.add((JobEvent.Progress) r.value());
          }
        }
        assertEquals(0.4, progress.get(progress.size() - 1).fraction(), 1e-9, progress.toString());
        assertEquals(0, progress.get(progress.size() - 1).done());
      }

      try (Compositor compositor = Compositor.start(config, blobs)) {
        compositor.awaitRunning(WAIT);
        send(producer, tiles.get(2));
        producer.flush();
        JobEvent.Progress after = (JobEvent.Progress) readUntil(events, e -> e instanceof JobEvent.Progress).get(0);
        assertEquals(1, after.done());
        assertEquals(0.4, after.fraction(), 1e-9, "one tile of four is 0.25, but 0.4 was published before");
        progress.add(after);
        tiles.forEach(r -> send(producer, r));
        producer.flush();
        List<JobEvent> rest = readUntil(events, e -> e instanceof JobEvent.Completed);
        rest.stream().filter(e -> e instanceof JobEvent.Progress).forEach(e -> progress.add((JobEvent.Progress) e));
        assertEquals(1, rest.stream().filter(e -> e instanceof JobEvent.Completed).count(), rest.toString());
      }
      for (int i = 1; i < progress.size(); i++) {
        assertTrue(progress.get(i).fraction() >= progress.get(i - 1).fraction(), "fraction fell: " + progress);
      }
    }
  }

  private List<TileResult.Done> storedJob(BlobStore blobs, String id, TileImage image, int tile, S3Uri output) {
    List<TileRect> rects = TestImages.grid(image.width(), image.height(), tile);
    List<TileResult.Done> results = new ArrayList<>();
    for (TileRect r : rects) {
      S3Uri uri = TileKeys.tile("farm", id, r.index());
      blobs.put(uri, TileCodec.encode(TestImages.crop(image, r)), "application/octet-stream");
      results.add(Results.done(Results.task(id, r, rects.size(), image.width(), image.height(), output, uri,
          System.currentTimeMillis()), image.channels(), 0, TileCheck.sha256(blobs.get(uri)), 7, "it"));
    }
    return results;
  }

  /** The splitter's plan of the job whose results are {@code results}, on the job control topic. */
  private void plan(KafkaProducer<String, byte[]> producer, List<TileResult.Done> results) {
    TileResult.Done r = results.get(0);
    producer.send(new ProducerRecord<>(topics.jobControl().name(), r.jobId(), CONTROLS.encode(
        new dev.tilefarm.schemas.JobControl.Planned(r.jobId(), System.currentTimeMillis(), r.tileCount(),
            r.imageWidth(), r.imageHeight(), r.output(), null))));
  }

  private void send(KafkaProducer<String, byte[]> producer, TileResult r) {
    producer.send(new ProducerRecord<>(topics.tileResults().name(), r.jobId(), RESULTS.encode(r)));
  }

  private static <V> KafkaConsumer<String, V> consumer(TestStack stack,
      org.apache.kafka.common.serialization.Deserializer<V> values) {
    return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + System.nanoTime(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), values);
  }

  /** Every value read until one matches {@code last} (the rest of its batch included: nothing read is dropped). */
  private static <V> List<V> readUntil(KafkaConsumer<String, V> consumer, Predicate<V> last) {
    List<V> out = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    boolean matched = false;
    while (!matched && System.nanoTime() < deadline) {
      for (var r : consumer.poll(Duration.ofMillis(200))) {
        out.add(r.value());
        matched |= last.test(r.value());
      }
    }
    if (matched) {
      return out;
    }
    throw new AssertionError("nothing matching came within " + WAIT + "; read " + out);
  }
}
