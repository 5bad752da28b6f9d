package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileResult;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** The whole pipeline through the real embedded broker and S3 server. */
class PipelineIT {
  @TempDir
  static Path dir;
  static TestFarm farm;

  @BeforeAll
  static void start() throws Exception {
    farm = TestFarm.start(dir, 2);
  }

  @AfterAll
  static void stop() {
    if (farm != null) {
      farm.close();
    }
  }

  private static final String SCENE = "{\"camera\":{\"position\":[0,1,4],\"lookAt\":[0,0.5,0],\"fov\":45},"
      + "\"sky\":[0.4,0.5,0.7],\"materials\":{\"w\":{\"type\":\"diffuse\",\"color\":[0.8,0.8,0.8]},"
      + "\"r\":{\"type\":\"diffuse\",\"color\":[0.8,0.2,0.1]},"
      + "\"l\":{\"type\":\"emissive\",\"color\":[1,0.9,0.8],\"strength\":20}},"
      + "\"objects\":[{\"type\":\"plane\",\"point\":[0,0,0],\"normal\":[0,1,0],\"material\":\"w\"},"
      + "{\"type\":\"sphere\",\"center\":[0,0.5,0],\"radius\":0.5,\"material\":\"r\"},"
      + "{\"type\":\"sphere\",\"center\":[1.5,3,1],\"radius\":0.5,\"material\":\"l\"}]}";

  private static ObjectNode builtin(String id, int tileSize) {
    return TestFarm.json("{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"builtin\",\"width\":300,"
        + "\"height\":200,\"samples\":4,\"seed\":3,\"tileSize\":" + tileSize + ",\"scene\":" + SCENE + "}");
  }

  @Test
  void renderJobGoesThroughEveryRole() throws Exception {
    JobEvent end = farm.runOne(TestFarm.json("{\"id\":\"mandel-1\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
        + "\"width\":320,\"height\":240,\"tileSize\":64,\"output\":\"s3://tilefarm/it/mandel-1.png\"}"));
    JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, end, String.valueOf(end));
    assertEquals(S3Uri.parse("s3://tilefarm/it/mandel-1.png"), c.output());
    assertEquals(5 * 4, c.tiles());
    BufferedImage image = farm.image(c);
    assertEquals(320, image.getWidth());
    assertEquals(240, image.getHeight());
    // the set itself (black) and the escape bands (coloured) are both in the picture
    assertEquals(0, image.getRGB(213, 120) & 0xffffff, "a point inside the set is black");
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < 240; y += 3) {
      for (int x = 0; x < 320; x += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertTrue(colours.size() > 50, "smooth colouring gives many colours, got " + colours.size());
  }

  @Test
  void renderIsByteIdenticalForAnyTileSize() throws Exception {
    // 10 px tiles are packed (9 to a task, the last pack 6): each tile is still made alone, so nothing changes.
    Map<String, JobEvent> ends = farm.run(builtin("tiles-32", 32), builtin("tiles-64", 64), builtin("tiles-257", 257),
        builtin("tiles-10-packed", 10));
    Set<String> hashes = new HashSet<>();
    for (JobEvent e : ends.values()) {
      hashes.add(assertInstanceOf(JobEvent.Completed.class, e, String.valueOf(e)).sha256());
    }
    assertEquals(1, hashes.size(), "sha256 of the outputs: " + ends);
    assertEquals(70, ((JobEvent.Completed) ends.get("tiles-32")).tiles());
    assertEquals(2, ((JobEvent.Completed) ends.get("tiles-257")).tiles());
    assertEquals(600, ((JobEvent.Completed) ends.get("tiles-10-packed")).tiles());
  }

  @Test
  void processJobEqualsOpenCvOnTheWholeImage() throws Exception {
    nu.pattern.OpenCV.loadLocally();
    Mat src = new Mat(173, 251, org.opencv.core.CvType.CV_8UC3);
    org.opencv.core.Core.randu(src, 0, 256);
    Imgproc.GaussianBlur(src, src, new Size(5, 5), 1.2); // texture with structure, not just noise
    Imgproc.circle(src, new org.opencv.core.Point(120, 80), 40, new org.opencv.core.Scalar(20, 200, 240), -1);
    MatOfByte png = new MatOfByte();
    Imgcodecs.imencode(".png", src, png);
    S3Uri input = S3Uri.parse("s3://tilefarm/it/input.png");
    farm.farm.blobs().put(input, png.toArray(), "image/png");

    JobEvent end = farm.runOne(TestFarm.json("{\"id\":\"proc-1\",\"type\":\"process\",\"input\":\"" + input
        + "\",\"tileSize\":64,\"ops\":[{\"op\":\"gaussian-blur\",\"sigma\":2.5},{\"op\":\"grayscale\"}]}"));
    JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, end, String.valueOf(end));

    Mat expected = new Mat();
    Imgproc.GaussianBlur(src, expected, new Size(17, 17), 2.5, 2.5);
    Imgproc.cvtColor(expected, expected, Imgproc.COLOR_BGR2GRAY);
    byte[] want = new byte[(int) expected.total()];
    expected.get(0, 0, want);
    Mat got = Imgcodecs.imdecode(new MatOfByte(farm.farm.blobs().get(c.output())), Imgcodecs.IMREAD_UNCHANGED);
    assertEquals(1, got.channels());
    byte[] have = new byte[(int) got.total()];
    got.get(0, 0, have);
    assertArrayEquals(want, have, "pipeline output differs from OpenCV on the whole image");
  }

  @Test
  void duplicatedTileResultsStillGiveOneCompleted() throws Exception {
    JobEvent end = farm.runOne(TestFarm.json("{\"id\":\"dup-1\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
        + "\"width\":100,\"height\":100,\"tileSize\":50}"));
    assertInstanceOf(JobEvent.Completed.class, end);
    // Replay every tile result of the job, as a worker retry or a redelivery would.
    Settings s = farm.farm.settings();
    List<ConsumerRecord<String, byte[]>> results = readAll(s.topics().tileResults().name(), "dup-1", 4);
    try (KafkaProducer<String, byte[]> p = producer(s)) {
      for (ConsumerRecord<String, byte[]> r : results) {
        p.send(new ProducerRecord<>(r.topic(), r.key(), r.value())).get();
      }
    }
    awaitConsumed(s.topics().groupId("compositor"), s.topics().tileResults().name());
    long completed = readAll(s.topics().jobEvents().name(), "dup-1", 0).stream()
        .map(r -> s.topics().jobEvents().valueSerde().deserializer().deserialize(r.topic(), r.value()))
        .filter(e -> e instanceof JobEvent.Completed).count();
    assertEquals(1, completed);
    assertTrue(results.stream().map(r -> s.topics().tileResults().valueSerde().deserializer()
        .deserialize(r.topic(), r.value())).allMatch(r -> r instanceof TileResult.Done));
  }

  @Test
  void badRecordsAreReportedAndTheFarmCarriesOn() throws Exception {
    Settings s = farm.farm.settings();
    try (KafkaProducer<String, byte[]> p = producer(s)) {
      p.send(new ProducerRecord<>(s.topics().jobs().name(), "garbage-1",
          new byte[] {(byte) 0xff, 0x00, '{', 'x'})).get();
    }
    Map<String, JobEvent> ends = farm.run(
        TestFarm.json("{\"id\":\"bad-1\",\"type\":\"process\",\"input\":\"s3://tilefarm/none.png\","
            + "\"ops\":[{\"op\":\"sharpen-everything\"}]}"),
        TestFarm.json("{\"id\":\"good-after-bad\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":64,"
            + "\"height\":64}"));
    JobEvent.Rejected rejected = assertInstanceOf(JobEvent.Rejected.class, ends.get("bad-1"));
    assertEquals("ops[0].op", rejected.field());
    assertTrue(rejected.reason().contains("gaussian-blur"), "lists the valid ops: " + rejected.reason());
    assertInstanceOf(JobEvent.Completed.class, ends.get("good-after-bad"));

    List<ConsumerRecord<String, byte[]>> dead = readAll(s.topics().deadLetter().name(), "garbage-1", 1);
    DeadLetter letter = s.topics().deadLetter().valueSerde().deserializer().deserialize(null, dead.get(0).value());
    assertArrayEquals(new byte[] {(byte) 0xff, 0x00, '{', 'x'}, Base64.getDecoder().decode(letter.valueBase64()));
    assertEquals(s.topics().jobs().name(), letter.sourceTopic());
    assertTrue(letter.error().contains("JSON"), letter.error());
  }

  /** Waits until a consumer group has committed everything now on the topic. */
  static void awaitConsumed(String group, String topic) throws Exception {
    String bootstrap = farm.farm.settings().bootstrapServers();
    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap));
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
            new StringDeserializer(), new ByteArrayDeserializer())) {
      var partitions = c.partitionsFor(topic).stream()
          .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
      var end = c.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        boolean done = partitions.stream().allMatch(tp -> end.get(tp) == 0
            || committed.get(tp) != null && committed.get(tp).offset() >= end.get(tp));
        if (done) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(group + " has not consumed " + topic + ": committed " + committed + ", end " + end);
        }
        Thread.sleep(100);
      }
    }
  }

  static KafkaProducer<String, byte[]> producer(Settings s) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** Every committed record with this key, waiting until at least {@code atLeast} are there. */
  static List<ConsumerRecord<String, byte[]>> readAll(String topic, String key, int atLeast) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, farm.farm.settings().bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      var partitions = c.partitionsFor(topic).stream()
          .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      var end = c.endOffsets(partitions);
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (key.equals(r.key())) {
            out.add(r);
          }
        }
        boolean atEnd = partitions.stream().allMatch(tp -> c.position(tp) >= end.get(tp));
        if (atEnd && out.size() >= atLeast) {
          return out;
        }
        if (atEnd) {
          end.putAll(c.endOffsets(partitions));
        }
      }
      throw new AssertionError("found " + out.size() + " records keyed " + key + " on " + topic + ", wanted " + atLeast);
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
