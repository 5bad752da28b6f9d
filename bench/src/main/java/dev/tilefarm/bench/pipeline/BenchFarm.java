package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.store.BlobStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/** A running embedded farm, as the sections use it. Closing it stops everything it started. */
public interface BenchFarm extends AutoCloseable {
  /** The broker's bootstrap servers. */
  String bootstrapServers();

  /** The name of the topic of the built-in renderers' tile tasks. */
  String tileTasksTopic();

  /** The share group of the workers that take {@link #tileTasksTopic()}'s tiles. */
  String tileTasksGroup();

  /** The name of the tile-results topic. */
  String tileResultsTopic();

  /** The farm's object store. */
  BlobStore blobs();

  /** The options that point a {@code tilefarm} role process at this farm (broker, S3 server, bucket, data dir). */
  List<String> connectionOptions();

  /**
   * Submits {@code job} and waits for its end.
   *
   * @throws IllegalStateException if it ended otherwise than COMPLETED, saying how
   */
  JobEvent.Completed complete(ObjectNode job) throws Exception;

  /** A client that submits jobs and follows their events, for timing each hop. */
  EventClient eventClient();

  @Override
  void close();

  /** Submits jobs and reads their events back, as a user's client does. */
  interface EventClient extends AutoCloseable {
    /** Where the job-events topic ends now: {@link #await} reads from there. */
    Map<TopicPartition, Long> positions();

    void submit(ObjectNode job) throws InterruptedException;

    /**
     * Hands {@code onEvent} every event of job {@code id} after {@code from} until its end, which is returned.
     *
     * @throws IllegalStateException if it ended otherwise than COMPLETED, saying how
     */
    JobEvent.Completed await(String id, Map<TopicPartition, Long> from, Duration timeout, Consumer<JobEvent> onEvent)
        throws Exception;

    /** Asks the farm to cancel job {@code id} (it ends CANCELLED unless it has ended). */
    void cancel(String id) throws InterruptedException;

    @Override
    void close();
  }
}
