package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.api.HttpApi;
import dev.tilefarm.compositor.Compositor;
import dev.tilefarm.embedded.EmbeddedKafka;
import dev.tilefarm.embedded.EmbeddedS3;
import dev.tilefarm.embedded.Security;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.splitter.TileSplitter;
import dev.tilefarm.testing.TestStack;
import dev.tilefarm.worker.RenderWorker;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.trigger.UploadTrigger;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import javax.imageio.ImageIO;

/**
 * The authorization model on a broker that enforces it: SASL users, Kafka's StandardAuthorizer with no access
 * without an ACL, and the ACLs created by {@code tilefarm acl apply}. Every role runs as its own principal: the
 * client's job completes (splitter, compositor, worker and API each doing only what their ACLs allow), and the
 * broker refuses the client's writes to the farm's internal topics, and a worker's forged job events. The
 * upload trigger, as its own principal, turns a notification that the object store's principal publishes into
 * a process job.
 */
class AclIT {
  private static final String PREFIX = "acl.";
  private static final Map<String, String> USERS = Map.of("alice", "alice-secret", "splitter", "splitter-secret",
      "compositor", "compositor-secret", "worker", "worker-secret", "api", "api-secret", "trigger", "trigger-secret",
      "minio", "minio-secret");
  private static final Topics TOPICS = new Topics(PREFIX);

  @TempDir
  static Path dir;
  static TestStack stack;
  static EmbeddedKafka kafka;
  static EmbeddedS3 s3;
  static String firstApply;

  @BeforeAll
  static void start() throws Exception {
    stack = TestStack.start(dir, Security.of(USERS, SecurityProtocol.SASL_PLAINTEXT).withAuthorizer(), "acl-key",
        "acl-secret", "tilefarm");
    kafka = stack.kafka();
    s3 = stack.s3();
    Cli apply = cli("acl", "apply", "--config", configFile("admin", kafka.superUserProperties(
        SecurityProtocol.SASL_PLAINTEXT)).toString(), "--principal-client", "User:alice",
        "--principal-splitter", "User:splitter", "--principal-compositor", "User:compositor",
        "--principal-worker", "User:worker", "--principal-api", "User:api", "--principal-upload-trigger",
        "User:trigger", "--principal-upload-source", "User:minio");
    assertEquals(0, apply.code(), apply.err());
    firstApply = apply.out();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void applyCreatesTheTopicsAndPrintsEachAcl() {
    assertTrue(firstApply.contains("created       topic acl.jobs"), firstApply);
    assertTrue(firstApply.matches("(?s).*created\\s+client\\s+User:alice  WRITE  TOPIC acl\\.jobs\n.*"), firstApply);
    assertTrue(firstApply.matches("(?s).*created\\s+client\\s+User:alice  READ  TOPIC acl\\.job-events\n.*"),
        firstApply);
    assertTrue(firstApply.matches(
        "(?s).*created\\s+compositor\\s+User:compositor  WRITE  TRANSACTIONAL_ID acl\\.compositor-\\*\n.*"),
        firstApply);
    assertFalse(firstApply.contains("exists"), firstApply);
  }

  @Test
  void applyingAgainChangesNothing() throws IOException {
    Cli again = cli("acl", "apply", "--config", configFile("admin", kafka.superUserProperties(
        SecurityProtocol.SASL_PLAINTEXT)).toString(), "--principal-client", "User:alice",
        "--principal-worker", "User:worker");
    assertEquals(0, again.code(), again.err());
    assertFalse(again.out().contains("created"), again.out());
    assertTrue(again.out().matches("(?s).*exists\\s+worker\\s+User:worker  WRITE  TOPIC acl\\.tile-results\n.*"),
        again.out());
  }

  @Test
  void aPrincipalThatMayNotAlterAclsGetsAClearError() throws IOException {
    Cli refused = cli("acl", "apply", "--no-create-topics", "--config", configFile("alice-admin",
        user("alice")).toString(), "--principal-client", "User:mallory");
    assertEquals(Main.ExitCodes.CONFIG, refused.code(), refused.err());
    assertTrue(refused.err().contains("may not create or list ACLs"), refused.err());
  }

  @Test
  void aClusterWithoutAnAuthorizerGetsAClearError() throws Exception {
    try (EmbeddedKafka open = EmbeddedKafka.start(dir.resolve("open-kafka"), 0)) {
      Cli refused = cli("acl", "apply", "--bootstrap-server", open.bootstrapServers(), "--topic-prefix", "open.",
          "--principal-client", "User:alice");
      assertEquals(Main.ExitCodes.CONFIG, refused.code(), refused.err());
      assertTrue(refused.err().contains("runs no authorizer"), refused.err());
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", open.bootstrapServers()))) {
        assertEquals(Set.of(), admin.listTopics().names().get(30, TimeUnit.SECONDS), "nothing was changed");
      }
    }
  }

  @Test
  void everyRoleAsItsOwnPrincipalCompletesTheClientsJob() throws Exception {
    Settings client = settings("alice");
    Path state = dir.resolve("state");
    try (Farm farm = Farm.connect(client);
        Farm splitterFarm = Farm.connect(settings("splitter"));
        Farm compositorFarm = Farm.connect(settings("compositor"));
        Farm workerFarm = Farm.connect(settings("worker"));
        Farm apiFarm = Farm.connect(settings("api"));
        TileSplitter splitter = Farm.startSplitter(splitterFarm.settings(), splitterFarm.blobs(), state);
        Compositor compositor = Farm.startCompositor(compositorFarm.settings(), compositorFarm.blobs(), state);
        RenderWorker worker = Farm.startWorker(workerFarm.settings(), workerFarm.blobs(), "acl-worker", 2);
        HttpApi api = apiFarm.startApi()) {
      splitter.awaitRunning(Duration.ofSeconds(60));
      compositor.awaitRunning(Duration.ofSeconds(60));
      JobEvent end = JobRunner.run(farm, List.of(TestFarm.json("{\"id\":\"acl-1\",\"type\":\"render\","
          + "\"renderer\":\"mandelbrot\",\"width\":96,\"height\":64,\"tileSize\":32}")), TestFarm.TIMEOUT,
          new Progress(System.err, false, true)).get("acl-1");
      JobEvent.Completed done = assertInstanceOf(JobEvent.Completed.class, end, String.valueOf(end));
      assertEquals(6, done.tiles());
      assertTrue(farm.blobs().get(done.output()).length > 0);

      assertTrue(api.awaitCaughtUp(Duration.ofSeconds(60)), "the API's feed caught up");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      HttpResponse<String> job;
      do {
        job = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.uri().resolve("api/jobs/acl-1")).build(),
            HttpResponse.BodyHandlers.ofString());
      } while (!job.body().contains("COMPLETED") && System.nanoTime() < deadline && sleep());
      assertEquals(200, job.statusCode(), job.body());
      assertTrue(job.body().contains("COMPLETED"), job.body());
      // The backlog probe describes the roles' groups and their offsets: it publishes only when all of it is allowed.
      HttpResponse<String> metrics;
      do {
        metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.uri().resolve("metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
      } while (!metrics.body().contains("group=\"acl.compositor\"") && System.nanoTime() < deadline && sleep());
      assertTrue(metrics.body().contains("tilefarm_backlog_records{group=\"acl.render-workers\""), metrics.body());
      assertTrue(metrics.body().contains("group=\"acl.compositor\""), metrics.body());

      assertUploadIsProcessed(farm);
    }
  }

  /** An image and its notification, published by the object store's principal, come out processed. */
  private static void assertUploadIsProcessed(Farm farm) throws Exception {
    Path rules = dir.resolve("rules.json");
    Files.writeString(rules, "[{\"bucket\":\"tilefarm\",\"prefix\":\"incoming/\",\"ops\":[{\"op\":\"invert\"}],"
        + "\"output\":\"s3://tilefarm/processed/\"}]");
    Map<String, String> triggerSettings = settingsMap("trigger", user("trigger"));
    triggerSettings.put("triggers.rules", rules.toString());
    BufferedImage input = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(input, "png", png);
    farm.blobs().put(S3Uri.parse("s3://tilefarm/incoming/a.png"), png.toByteArray(), "image/png");
    try (UploadTrigger trigger = Farm.startTrigger(Settings.load(triggerSettings, Map.of(), null), farm.blobs());
        KafkaProducer<String, String> minio = new KafkaProducer<>(Map.copyOf(user("minio")), new StringSerializer(),
            new StringSerializer())) {
      minio.send(new ProducerRecord<>(PREFIX + "uploads", "tilefarm/incoming/a.png", ("{'EventName':"
          + "'s3:ObjectCreated:Put','Key':'tilefarm/incoming/a.png','Records':[{'eventVersion':'2.0',"
          + "'eventSource':'minio:s3','eventName':'s3:ObjectCreated:Put','s3':{'s3SchemaVersion':'1.0',"
          + "'bucket':{'name':'tilefarm','arn':'arn:aws:s3:::tilefarm'},'object':{'key':'incoming%2Fa.png',"
          + "'size':1,'eTag':'e1','sequencer':'1'}}}]}").replace('\'', '"'))).get(30, TimeUnit.SECONDS);
      S3Uri output = S3Uri.parse("s3://tilefarm/processed/a.png");
      long deadline = System.nanoTime() + TestFarm.TIMEOUT.toNanos();
      while (farm.blobs().size(output) < 0 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      BufferedImage result = ImageIO.read(new ByteArrayInputStream(farm.blobs().get(output)));
      assertEquals(0xFFFFFF, result.getRGB(7, 5) & 0xFFFFFF, "the black upload, inverted");
    }
    assertInstanceOf(TopicAuthorizationException.class, writeFailure("minio", TOPICS.jobs().name()));
  }

  @Test
  void theBrokerRefusesTheClientsWritesToTheFarmsOwnTopics() {
    List<String> topics = new ArrayList<>(List.of(TOPICS.tileResults().name(), TOPICS.jobEvents().name(),
        TOPICS.jobControl().name(), TOPICS.deadLetter().name(), TOPICS.workers().name()));
    TOPICS.allTileTasks().forEach(t -> topics.add(t.name()));
    for (String topic : topics) {
      assertInstanceOf(TopicAuthorizationException.class, writeFailure("alice", topic), topic);
    }
  }

  @Test
  void theBrokerRefusesAWorkersForgedJobEvents() {
    for (String topic : List.of(TOPICS.jobEvents().name(), TOPICS.jobControl().name(), TOPICS.jobs().name())) {
      assertInstanceOf(TopicAuthorizationException.class, writeFailure("worker", topic), topic);
    }
  }

  @Test
  void theClientMayNotReadTileResults() {
    Map<String, Object> p = new HashMap<>(user("alice"));
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      c.assign(List.of(new TopicPartition(TOPICS.tileResults().name(), 0)));
      c.seekToBeginning(c.assignment());
      assertThrows(TopicAuthorizationException.class, () -> c.poll(Duration.ofSeconds(10)));
    }
  }

  /** What the broker answers {@code user} publishing one record to {@code topic}. */
  private static Throwable writeFailure(String user, String topic) {
    Map<String, Object> p = new HashMap<>(user(user));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
        new StringSerializer())) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> producer.send(new ProducerRecord<>(topic, "forged", "{}")).get(30, TimeUnit.SECONDS), topic);
      return e.getCause();
    }
  }

  private static boolean sleep() throws InterruptedException {
    Thread.sleep(100);
    return true;
  }

  /** The Kafka client properties of {@code user}, signing in with SCRAM over the SASL listener. */
  private static Map<String, String> user(String user) {
    Map<String, String> p = new HashMap<>(kafka.clientProperties(SecurityProtocol.SASL_PLAINTEXT));
    p.put("sasl.mechanism", "SCRAM-SHA-512");
    p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user + "\" password=\"" + USERS.get(user) + "\";");
    return p;
  }

  /** The settings of a process running as {@code user}: its own kafka.config file. */
  private static Settings settings(String user) throws IOException {
    return Settings.load(settingsMap(user, user(user)), Map.of(), null);
  }

  private static Map<String, String> settingsMap(String name, Map<String, String> client) throws IOException {
    Properties p = new Properties();
    p.putAll(client);
    p.remove("bootstrap.servers");
    Path clientFile = dir.resolve(name + "-kafka.properties");
    try (Writer w = Files.newBufferedWriter(clientFile)) {
      p.store(w, "Kafka client properties of " + name);
    }
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", client.get("bootstrap.servers"));
    s.put("kafka.config", clientFile.toString());
    s.put("s3.endpoint", s3.endpoint().toString());
    s.put("s3.access-key", s3.accessKey());
    s.put("s3.secret-key", s3.secretKey());
    s.put("s3.bucket", s3.bucket());
    s.put("topic.prefix", PREFIX);
    s.put("topic.partitions", "2");
    s.put("data.dir", dir.resolve(name).toString());
    s.put("worker.threads", "2");
    s.put("http.port", "0");
    return s;
  }

  /** A tilefarm.properties file for {@code name}, with {@code client} as its kafka.config. */
  private static Path configFile(String name, Map<String, String> client) throws IOException {
    Properties config = new Properties();
    config.putAll(settingsMap(name, client));
    Path file = dir.resolve(name + ".properties");
    try (Writer w = Files.newBufferedWriter(file)) {
      config.store(w, null);
    }
    return file;
  }

  private record Cli(int code, String out, String err) {}

  private static Cli cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try (PrintStream co = new PrintStream(o, true, StandardCharsets.UTF_8);
        PrintStream ce = new PrintStream(e, true, StandardCharsets.UTF_8)) {
      System.setOut(co);
      System.setErr(ce);
      code = Main.commandLine().execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    Cli r = new Cli(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    out.print(r.out());
    err.print(r.err());
    return r;
  }
}
