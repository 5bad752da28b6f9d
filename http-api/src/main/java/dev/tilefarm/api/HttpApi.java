package dev.tilefarm.api;

import com.sun.net.httpserver.HttpServer;
import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.schemas.JobStatus;
import dev.tilefarm.schemas.TopicAdmin;
import dev.tilefarm.store.BlobStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API role: a REST API (described by {@code openapi.yaml}, served at {@code /openapi.yaml}) to
 * submit, upload, follow, cancel and fetch jobs, server-sent events of job events, the web dashboard at
 * {@code /}, and Prometheus metrics at {@code /metrics}. Its view of the farm comes from the farm's topics
 * alone, so it can run anywhere a Kafka client can, as many times as wanted.
 *
 * <pre>{@code
 * try (HttpApi api = HttpApi.start(config, blobs, prometheus)) {
 *   System.out.println("dashboard: " + api.uri());
 * }
 * }</pre>
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

  private final HttpServer server;
  private final URI uri;
  private final EventFeed feed;
  private final Deque<AutoCloseable> resources;

  private HttpApi(HttpServer server, URI uri, EventFeed feed, Deque<AutoCloseable> resources) {
    this.server = server;
    this.uri = uri;
    this.feed = feed;
    this.resources = resources;
  }

  /**
   * Creates missing topics, starts following them, and listens. Meters go to {@code registry}, which is
   * also what {@code /metrics} shows: in a process that runs other roles too, pass the registry they
   * record to.
   */
  public static HttpApi start(ApiConfig config, BlobStore blobs, PrometheusMeterRegistry registry)
      throws IOException, InterruptedException {
    return start(config, blobs, registry, Map::of);
  }

  /**
   * As {@link #start(ApiConfig, BlobStore, PrometheusMeterRegistry)}, with the roles that run in the same
   * process: {@code roles} gives role name -> why it is down, for those that are, and {@code /healthz} answers
   * 503 DOWN naming them (as it does when the API's own event feed has stopped).
   */
  public static HttpApi start(ApiConfig config, BlobStore blobs, PrometheusMeterRegistry registry,
      java.util.function.Supplier<Map<String, String>> roles) throws IOException, InterruptedException {
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    try {
      Properties adminProps = ClientProperties.ADMIN.of(config.bootstrapServers(), config.kafkaClient());
      adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "tilefarm-api-admin");
      Admin admin = Admin.create(adminProps);
      resources.push(admin);
      TopicAdmin.ensure(admin, config.topics(), config.layout());

      FarmView view = new FarmView(config.maxJobs());
      for (JobStatus status : JobStatus.values()) {
        Gauge.builder("tilefarm.api.jobs", view, v -> v.count(status)).tag("status", status.name())
            .description("jobs the API's view holds, by status").register(registry);
      }
      String clientId = "tilefarm-api-" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet();
      EventFeed feed = new EventFeed(config.bootstrapServers(), config.kafkaClient(),
          config.topics(), view, clientId);
      resources.push(feed);
      KafkaClientMetrics feedMetrics = new KafkaClientMetrics(feed.consumer());
      feedMetrics.bindTo(registry);
      resources.push(feedMetrics);
      feed.start();

      KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(config, clientId),
          new StringSerializer(), new ByteArraySerializer());
      resources.push(() -> producer.close(Duration.ofSeconds(10)));
      KafkaClientMetrics producerMetrics = new KafkaClientMetrics(producer);
      producerMetrics.bindTo(registry);
      resources.push(producerMetrics);

      BacklogProbe probe = new BacklogProbe(admin, config.topics(), view, registry);
      resources.push(probe);
      probe.start();

      ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tilefarm-http");
        t.setDaemon(true);
        return t;
      });
      resources.push(pool::shutdownNow);
      HttpServer server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
      java.util.function.Supplier<Map<String, String>> down = () -> {
        Map<String, String> all = new java.util.HashMap<>(roles.get());
        if (!feed.running()) {
          all.put("http-api", "its event feed stopped");
        }
        return all;
      };
      UploadJanitor janitor = new UploadJanitor(blobs);
      view.subscribe(null, snapshot -> { }, janitor);
      resources.push(janitor);
      Routes routes = new Routes(config, view, blobs, producer, registry, janitor, down);
      server.createContext("/", routes);
      server.setExecutor(pool);
      server.start();
      resources.push(() -> {
        routes.closeStreams();
        server.stop(0);
      });
      String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
      URI uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
          + server.getAddress().getPort() + "/");
      log.info("HTTP API and dashboard on {}{}", uri, config.token() == null ? "" : " (bearer token required)");
      return new HttpApi(server, uri, feed, resources);
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      closeAll(resources);
      throw e;
    }
  }

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private static Properties producerProperties(ApiConfig config, String clientId) {
    return ClientProperties.PRODUCER.of(config.bootstrapServers(), Map.of(
        ProducerConfig.CLIENT_ID_CONFIG, clientId + "-jobs",
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
        ProducerConfig.LINGER_MS_CONFIG, "1"), config.kafkaClient());
  }

  /** The base URL: the dashboard is here, the API under {@code api/}. */
  public URI uri() {
    return uri;
  }

  /** Waits until the view holds what was on the topics at start (jobs submitted before are listed). */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return feed.awaitCaughtUp(timeout);
  }

  @Override
  public void close() {
    closeAll(resources);
  }

  private static void closeAll(Deque<AutoCloseable> resources) {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        log.warn("while stopping the HTTP API: {}", e.toString());
      }
    }
  }

  int port() {
    return server.getAddress().getPort();
  }
}
