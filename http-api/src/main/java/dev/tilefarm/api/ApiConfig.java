package dev.tilefarm.api;

import dev.tilefarm.schemas.Require;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.JobLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the HTTP API role is configured with.
 *
 * @param bootstrapServers the Kafka cluster
 * @param topics the farm's topics
 * @param layout partitions and replication of topics created at start-up, if missing
 * @param host the address to listen on ({@code 127.0.0.1} keeps it on this machine, {@code 0.0.0.0} opens it)
 * @param port the port to listen on; 0 picks a free one
 * @param token the bearer token every {@code /api} request must carry, or null for none
 * @param presignTtl how long a presigned output URL stays valid
 * @param maxJobs jobs the in-memory view keeps; the oldest ended ones are forgotten first
 * @param kafkaClient Kafka client properties every client of the API gets (TLS, SASL: {@code security.protocol},
 *     {@code ssl.*}, {@code sasl.*}); each client takes the ones it knows
 * @param allowedHosts with no token, more names than this server's own that a request's {@code Host} may give
 *     (see {@link RequestGuard})
 * @param limits the farm's {@code limits.*}, the splitter's: a job is checked against them at submission (an
 *     upload's size read from its header before it is stored), and outside a job's default output only outputs
 *     in its {@code outputLocations} are served (empty: anywhere the compositor wrote for the job; see
 *     {@code JobOutputs})
 */
public record ApiConfig(String bootstrapServers, Topics topics, TopicLayout layout, String host, int port,
    String token, Duration presignTtl, int maxJobs, Map<String, String> kafkaClient, List<String> allowedHosts,
    JobLimits limits) {

  // ---- Defaults, in one place. ----
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  /** Long enough to download a large image over a slow link, short enough that a leaked link soon dies. */
  public static final Duration DEFAULT_PRESIGN_TTL = Duration.ofMinutes(15);
  /** A job's view with 16384 tiles is about 2 MB; 10000 ordinary jobs fit in a few hundred MB. */
  public static final int DEFAULT_MAX_JOBS = 10_000;
  /** The splitter's default limit, 16384 x 16384. */
  public static final long DEFAULT_MAX_PIXELS = JobLimits.DEFAULTS.maxPixels();

  public ApiConfig {
    Require.nonNull("bootstrapServers", bootstrapServers, "topics", topics, "layout", layout, "host", host,
        "presignTtl", presignTtl);
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
    }
    if (token != null && token.isBlank()) {
      token = null;
    }
    if (maxJobs < 1) {
      throw new IllegalArgumentException("maxJobs must be at least 1, got " + maxJobs);
    }
    kafkaClient = Map.copyOf(kafkaClient);
    allowedHosts = List.copyOf(allowedHosts);
    for (String h : allowedHosts) {
      if (h.isBlank() || h.contains("/") || h.contains(" ") || h.contains(":") && !h.startsWith("[")) {
        throw new IllegalArgumentException("allowed host '" + h + "' must be a host name without a port, e.g. "
            + "tilefarm.example.com");
      }
    }
    Objects.requireNonNull(limits, "limits");
  }

  /** The default limits with this pixel limit and these output locations. */
  public ApiConfig(String bootstrapServers, Topics topics, TopicLayout layout, String host, int port, String token,
      Duration presignTtl, int maxJobs, Map<String, String> kafkaClient, List<String> allowedHosts, long maxPixels,
      List<String> outputLocations) {
    this(bootstrapServers, topics, layout, host, port, token, presignTtl, maxJobs, kafkaClient, allowedHosts,
        JobLimits.DEFAULTS.withMaxPixels(maxPixels).confinedTo(outputLocations, List.of()));
  }

  /** The largest image a job may ask for or bring ({@code limits.max-pixels}). */
  public long maxPixels() {
    return limits.maxPixels();
  }

  /** Where jobs may write ({@code limits.output-locations}). */
  public List<String> outputLocations() {
    return limits.outputLocations();
  }

  /** With no output locations set: outputs anywhere the compositor wrote for their job. */
  public ApiConfig(String bootstrapServers, Topics topics, TopicLayout layout, String host, int port, String token,
      Duration presignTtl, int maxJobs, Map<String, String> kafkaClient, List<String> allowedHosts, long maxPixels) {
    this(bootstrapServers, topics, layout, host, port, token, presignTtl, maxJobs, kafkaClient, allowedHosts,
        maxPixels, List.of());
  }

  /** With no more allowed hosts, the default pixel limit and no output locations set. */
  public ApiConfig(String bootstrapServers, Topics topics, TopicLayout layout, String host, int port, String token,
      Duration presignTtl, int maxJobs, Map<String, String> kafkaClient) {
    this(bootstrapServers, topics, layout, host, port, token, presignTtl, maxJobs, kafkaClient, List.of(),
        DEFAULT_MAX_PIXELS);
  }

  /** Without Kafka client properties: a PLAINTEXT cluster. */
  public ApiConfig(String bootstrapServers, Topics topics, TopicLayout layout, String host, int port, String token,
      Duration presignTtl, int maxJobs) {
    this(bootstrapServers, topics, layout, host, port, token, presignTtl, maxJobs, Map.of());
  }

  @Override
  public String toString() {
    // Never print the token or client secrets (sasl.jaas.config, ssl passwords).
    return "ApiConfig[bootstrapServers=" + bootstrapServers + ", topics=" + topics + ", layout=" + layout + ", host="
        + host + ", port=" + port + ", token=" + (token == null ? "none" : "set") + ", presignTtl=" + presignTtl
        + ", maxJobs=" + maxJobs + ", kafkaClient=" + kafkaClient.keySet() + ", allowedHosts=" + allowedHosts
        + ", limits=" + limits + "]";
  }
}
