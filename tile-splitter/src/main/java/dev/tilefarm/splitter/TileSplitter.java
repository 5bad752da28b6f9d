package dev.tilefarm.splitter;

import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.clients.TopicSetup;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.RecordRetries;
import dev.tilefarm.store.ZombieFencer;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tile-splitter role: validates each job on the jobs topic, rejects bad ones with a reason on the
 * events topic, splits good ones into tile tasks and announces them ACCEPTED, exactly once.
 */
public final class TileSplitter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TileSplitter.class);
  private final KafkaStreams streams;
  private final WorkerDirectory workers;
  private final ZombieFencer fencer;

  private TileSplitter(KafkaStreams streams, WorkerDirectory workers, ZombieFencer fencer) {
    this.streams = streams;
    this.workers = workers;
    this.fencer = fencer;
  }

  /** Creates missing topics, then starts splitting; returns at once (see {@link #awaitRunning}). */
  public static TileSplitter start(SplitterConfig config, BlobStore blobs) throws InterruptedException {
    Properties adminProps = ClientProperties.ADMIN.of(config.bootstrapServers(), config.kafkaOverrides());
    TopicSetup.ensure(adminProps, config.topics(), config.layout());
    String bucket = blobs.settings().bucket();
    WorkerDirectory workers = new WorkerDirectory(
        ClientProperties.CONSUMER.of(config.bootstrapServers(), config.kafkaOverrides()), config.topics(),
        System::currentTimeMillis);
    workers.start();
    JobPlanner planner = new JobPlanner(config.limits(), new StoredImageProbe(blobs), bucket, workers);
    var topology = SplitterTopology.build(config.topics(), planner,
        (uri, json) -> blobs.put(uri, json, "application/json"), System::currentTimeMillis,
        DeadLetters.of(blobs, SplitterTopology.ROLE, config.kafkaOverrides()),
        RecordRetries.defaults(), copartitioned(adminProps, config) ? workers : null);
    KafkaStreams streams = new KafkaStreams(topology, properties(config));
    // Into the global registry: the process that runs the splitter decides where meters go.
    new io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics(streams)
        .bindTo(io.micrometer.core.instrument.Metrics.globalRegistry);
    streams.setUncaughtExceptionHandler(e -> {
      // A transient fault (S3 or broker unreachable): restart the thread; the task resumes from its last
      // committed transaction, so the job is retried and nothing is emitted twice.
      log.warn("splitter thread failed; replacing it and retrying from the last commit: {}", e.toString());
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    streams.start();
    return new TileSplitter(streams, workers, ZombieFencer.start(adminProps, config.topics().groupId("tile-splitter"),
        ZombieFencer.DEFAULT_INTERVAL, ZombieFencer.DEFAULT_MIN_AGE));
  }

  /**
   * Whether the jobs topic has as many partitions as the tile results topic (and so job control), as the farm
   * creates them: the dispatcher needs a job's results on its own task. Otherwise tasks go out all at once, first
   * in first out, and schedule requests are ignored, with a warning.
   */
  private static boolean copartitioned(Properties adminProps, SplitterConfig config) throws InterruptedException {
    String jobs = config.topics().jobs().name();
    String results = config.topics().tileResults().name();
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(adminProps)) {
      var topics = admin.describeTopics(java.util.List.of(jobs, results)).allTopicNames()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      int j = topics.get(jobs).partitions().size();
      int r = topics.get(results).partitions().size();
      if (j != r) {
        log.warn("{} has {} partitions and {} has {}: without equal counts the splitter cannot follow its jobs' "
            + "results, so it releases every task at once (no priorities, fair share or pause)", jobs, j, results, r);
      }
      return j == r;
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not describe " + jobs + " and " + results + ": " + e.getMessage(), e);
    }
  }

  static Properties properties(SplitterConfig config) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.topics().groupId("tile-splitter"));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(config.commitInterval().toMillis()));
    // A stream thread commits between polls: waiting the default 100 ms for more input would hold the last
    // record's output (a job's COMPLETED, its tasks) back by that much when nothing else comes.
    p.put(StreamsConfig.POLL_MS_CONFIG, "10");
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "-1");
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");
    p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    // Fail-over, as the compositor's (CompositorConfig, README "Fail-over"): a standby of every task on another
    // instance; a dead instance noticed in 6 s (the broker's least), its open transaction then aborted by the
    // survivors (ZombieFencer); tasks back on a restarted instance a minute after it caught up.
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1500");
    p.put(StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG, "60000");
    p.putAll(config.kafkaOverrides());
    return p;
  }

  /**
   * Why the splitter is not working, or null while it is (running, rebalancing or starting): a Kafka Streams
   * client in ERROR or NOT_RUNNING (or on its way there) processes nothing until it is restarted.
   */
  public String failure() {
    KafkaStreams.State state = streams.state();
    return state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
        || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN
        ? "its Kafka Streams client is " + state : null;
  }

  /** Waits until the splitter has joined its group and is processing. */
  public void awaitRunning(Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
        throw new IllegalStateException("the splitter stopped: " + streams.state());
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the splitter is not running after " + timeout + " (state " + streams.state() + ")");
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    fencer.close();
    // Leave the group at once, so that a restarted splitter does not wait out the old member's session.
    streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    workers.close();
  }
}
