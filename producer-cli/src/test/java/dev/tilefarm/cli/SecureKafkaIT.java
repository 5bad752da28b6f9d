package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.api.HttpApi;
import dev.tilefarm.compositor.Compositor;
import dev.tilefarm.embedded.EmbeddedKafka;
import dev.tilefarm.embedded.EmbeddedS3;
import dev.tilefarm.embedded.Security;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.splitter.TileSplitter;
import dev.tilefarm.testing.TestStack;
import dev.tilefarm.worker.RenderWorker;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The farm on a secured cluster: a broker with TLS and SASL listeners only for clients, every role and the
 * CLI's clients configured by one standard Kafka client properties file ({@code kafka.config}). A job
 * completes over TLS, over SASL/SCRAM (with the HTTP API too) and over SASL/PLAIN; a client without the right credentials is refused
 * with exit code 3 and a message naming the refusal, instead of waiting.
 */
class SecureKafkaIT {
  private static final String USER = "tilefarm-app";
  private static final String PASSWORD = "app-secret";

  @TempDir
  static Path dir;
  static TestStack stack;
  static EmbeddedKafka kafka;
  static EmbeddedS3 s3;

  @BeforeAll
  static void start() throws Exception {
    stack = TestStack.start(dir, Security.of(Map.of(USER, PASSWORD), SecurityProtocol.SSL, SecurityProtocol.SASL_SSL),
        "secure-key", "secure-secret", "tilefarm");
    kafka = stack.kafka();
    s3 = stack.s3();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void jobCompletesOverTls() throws Exception {
    assertCompletes("tls", kafka.clientProperties(SecurityProtocol.SSL), false);
  }

  @Test
  void jobCompletesOverSaslScram() throws Exception {
    assertCompletes("scram", sasl("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule", PASSWORD),
        true);
  }

  @Test
  void jobCompletesOverSaslPlain() throws Exception {
    assertCompletes("plain", sasl("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule", PASSWORD), false);
  }

  @Test
  void wrongScramPasswordIsRefusedWithAClearError() throws Exception {
    Refusal r = cli("bad-password",
        sasl("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule", "not-the-password"));
    assertEquals(Main.ExitCodes.CONFIG, r.code(), r.stderr());
    assertTrue(r.stderr().contains("Kafka refused the connection") && r.stderr().contains("SCRAM-SHA-512"),
        r.stderr());
  }

  @Test
  void clientThatDoesNotTrustTheBrokerIsRefusedWithAClearError() throws Exception {
    Map<String, String> noTrust = new HashMap<>(kafka.clientProperties(SecurityProtocol.SSL));
    noTrust.keySet().removeIf(k -> k.startsWith("ssl.truststore"));
    Refusal r = cli("no-truststore", noTrust);
    assertEquals(Main.ExitCodes.CONFIG, r.code(), r.stderr());
    assertTrue(r.stderr().contains("Kafka refused the connection") && r.stderr().contains("SSL handshake failed"),
        r.stderr());
  }

  /**
   * Starts every role with {@code client} as kafka.config, on topics of their own, and runs one job; with
   * {@code api}, also the HTTP API, which must list the job (its consumer and admin client signed in) and accept
   * another (its producer did).
   */
  private static void assertCompletes(String name, Map<String, String> client, boolean api) throws Exception {
    Settings settings = Settings.load(settingsFor(name, client), Map.of(), null);
    Path state = dir.resolve(name).resolve("state");
    try (Farm farm = Farm.connect(settings);
        TileSplitter splitter = Farm.startSplitter(settings, farm.blobs(), state);
        Compositor compositor = Farm.startCompositor(settings, farm.blobs(), state);
        RenderWorker worker = Farm.startWorker(settings, farm.blobs(), name + "-worker", 2)) {
      splitter.awaitRunning(Duration.ofSeconds(60));
      compositor.awaitRunning(Duration.ofSeconds(60));
      JobEvent end = JobRunner.run(farm, List.of(TestFarm.json(
          "{\"id\":\"" + name + "-1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":96,\"height\":64,"
              + "\"tileSize\":32}")), TestFarm.TIMEOUT, new Progress(System.err, false, true)).get(name + "-1");
      JobEvent.Completed done = assertInstanceOf(JobEvent.Completed.class, end, String.valueOf(end));
      assertEquals(6, done.tiles());
      assertTrue(farm.blobs().get(done.output()).length > 0);
      if (api) {
        try (HttpApi http = farm.startApi()) {
          assertTrue(http.awaitCaughtUp(Duration.ofSeconds(60)), "the API's feed caught up");
          HttpClient web = HttpClient.newHttpClient();
          HttpResponse<String> job = web.send(HttpRequest.newBuilder(http.uri().resolve("api/jobs/" + name + "-1"))
              .build(), HttpResponse.BodyHandlers.ofString());
          assertEquals(200, job.statusCode(), job.body());
          assertTrue(job.body().contains("COMPLETED"), job.body());
          HttpResponse<String> submitted = web.send(HttpRequest.newBuilder(http.uri().resolve("api/jobs"))
              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + name + "-2\",\"type\":\"render\","
                  + "\"renderer\":\"mandelbrot\",\"width\":32,\"height\":32}")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertEquals(202, submitted.statusCode(), submitted.body());
        }
      }
    }
  }

  private record Refusal(int code, String stderr) {}

  /** Runs {@code tilefarm status} with {@code client} as kafka.config, capturing what it prints on stderr. */
  private static Refusal cli(String name, Map<String, String> client) throws IOException {
    Properties config = new Properties();
    config.putAll(settingsFor(name, client));
    Path file = dir.resolve(name + ".properties");
    try (Writer w = Files.newBufferedWriter(file)) {
      config.store(w, null);
    }
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setErr(capture);
      code = Main.commandLine().execute("status", name + "-job", "--config", file.toString());
    } finally {
      System.setErr(err);
    }
    String stderr = captured.toString(StandardCharsets.UTF_8);
    err.print(stderr);
    return new Refusal(code, stderr);
  }

  /** The settings of a farm on the secured cluster, with {@code client} written out as its kafka.config file. */
  private static Map<String, String> settingsFor(String name, Map<String, String> client) throws IOException {
    Properties p = new Properties();
    p.putAll(client);
    p.remove("bootstrap.servers"); // a setting of its own; the file holds only how to connect
    Path clientFile = dir.resolve(name + "-client.properties");
    try (Writer w = Files.newBufferedWriter(clientFile)) {
      p.store(w, "Kafka client properties of the " + name + " farm");
    }
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", client.get("bootstrap.servers"));
    s.put("kafka.config", clientFile.toString());
    s.put("s3.endpoint", s3.endpoint().toString());
    s.put("s3.access-key", s3.accessKey());
    s.put("s3.secret-key", s3.secretKey());
    s.put("s3.bucket", s3.bucket());
    s.put("topic.prefix", "secure-" + name + ".");
    s.put("topic.partitions", "2");
    s.put("data.dir", dir.resolve(name).toString());
    s.put("worker.threads", "2");
    s.put("http.port", "0");
    return s;
  }

  private static Map<String, String> sasl(String mechanism, String loginModule, String password) {
    Map<String, String> p = new HashMap<>(kafka.clientProperties(SecurityProtocol.SASL_SSL));
    p.put("sasl.mechanism", mechanism);
    p.put("sasl.jaas.config", loginModule + " required username=\"" + USER + "\" password=\"" + password + "\";");
    return p;
  }
}
