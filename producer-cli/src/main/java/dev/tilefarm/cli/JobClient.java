package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobSchedule;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/** Publishes jobs and follows their events, as any outside client of the farm would. */
final class JobClient implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Topics topics;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<TopicPartition> eventPartitions;

  JobClient(Settings settings) {
    this.topics = settings.topics();
    producer = new KafkaProducer<>(ClientProperties.PRODUCER.of(settings.bootstrapServers(), Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, "5"), settings.roles().kafkaClient()),
        new StringSerializer(), new ByteArraySerializer());
    consumer = new KafkaConsumer<>(ClientProperties.CONSUMER.of(settings.bootstrapServers(), Map.of(
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        // Events become readable when the producing role's transaction commits, which does not wake a
        // waiting fetch on every broker: ask again often rather than sleep out the 500 ms default.
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10"), settings.roles().kafkaClient()),
        new StringDeserializer(), new ByteArrayDeserializer());
    eventPartitions = new ArrayList<>();
    for (PartitionInfo info : consumer.partitionsFor(topics.jobEvents().name(), Duration.ofSeconds(30))) {
      eventPartitions.add(new TopicPartition(info.topic(), info.partition()));
    }
    eventPartitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
  }

  /** A fresh job id for a job that has none. */
  static String newId() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return "job-" + java.util.HexFormat.of().formatHex(b);
  }

  /** Where every job event is now: follow from here to see only what happens after. */
  Map<TopicPartition, Long> eventPositions() {
    return consumer.endOffsets(eventPartitions);
  }

  /** Publishes a job under its id (filling in a new id if it has none); returns the id. */
  String submit(ObjectNode job) throws InterruptedException {
    if (!job.hasNonNull("id")) {
      job.put("id", newId());
    }
    String id = job.get("id").asText();
    publish(id, job, "job " + id + " to " + topics.jobs().name());
    return id;
  }

  /** Publishes a request to run FAILED or CANCELLED job {@code id} again (see job-retry.schema.json). */
  void retry(String id) throws InterruptedException {
    ObjectNode request = Json.MAPPER.createObjectNode().put("retry", id);
    publish(id, request, "a retry of job " + id);
  }

  /** Publishes a request to cancel job {@code id} (see job-cancel.schema.json). */
  void cancel(String id, String reason) throws InterruptedException {
    ObjectNode request = Json.MAPPER.createObjectNode().put("cancel", id);
    if (reason != null) {
      request.put("reason", reason);
    }
    publish(id, request, "a cancel of job " + id);
  }

  /**
   * Publishes a request to pause, resume or re-prioritise job {@code id} (see job-schedule.schema.json):
   * {@code {"pause": ID}}, {@code {"resume": ID}} or {@code {"reprioritize": ID, "priority": N}}.
   */
  void schedule(JobSchedule request) throws InterruptedException {
    ObjectNode json = Json.MAPPER.createObjectNode();
    switch (request) {
      case JobSchedule.Pause p -> json.put("pause", p.jobId());
      case JobSchedule.Resume r -> json.put("resume", r.jobId());
      case JobSchedule.Reprioritize r -> json.put("reprioritize", r.jobId()).put("priority", r.priority());
    }
    publish(request.jobId(), json, json.toString());
  }

  /** Publishes {@code value} to the jobs topic under {@code key}; {@code what} names it in the error if that fails. */
  private void publish(String key, ObjectNode value, String what) throws InterruptedException {
    try {
      producer.send(new ProducerRecord<>(topics.jobs().name(), key, Json.MAPPER.writeValueAsBytes(value)))
          .get(60, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("publishing " + what + ": " + e.getMessage(), e);
    }
  }

  /** Publishes raw bytes to the jobs topic, as a foreign client might. */
  void submitRaw(String key, byte[] value) throws InterruptedException, ExecutionException {
    producer.send(new ProducerRecord<>(topics.jobs().name(), key, value)).get();
  }

  /** Called for every event of a followed job. */
  interface Listener {
    void onEvent(JobEvent event);
  }

  /**
   * Follows {@code ids} until each has a terminal event (COMPLETED, FAILED, REJECTED) or the timeout
   * passes. Events after {@code from} count. Ids in {@code reused} were chosen by the user and may have
   * run before: their partitions are read from the start, and if such a job was accepted before, the
   * farm will not run it again, so its earlier run's events are its answer.
   */
  Map<String, JobEvent> await(Collection<String> ids, Set<String> reused, Map<TopicPartition, Long> from,
      Duration timeout, Listener listener) throws TimeoutException {
    return await(ids, reused, from, timeout, listener, JobEvent::terminal);
  }

  /** As {@link #await(Collection, Set, Map, Duration, Listener)}, until each id has an event that {@code answers}. */
  Map<String, JobEvent> await(Collection<String> ids, Set<String> reused, Map<TopicPartition, Long> from,
      Duration timeout, Listener listener, java.util.function.Predicate<JobEvent> answers) throws TimeoutException {
    Map<String, JobEvent> terminal = new LinkedHashMap<>();
    Set<String> pending = new HashSet<>(ids);
    Map<String, Boolean> acceptedBefore = new HashMap<>();
    Map<String, JobEvent> terminalBefore = new HashMap<>();
    Set<TopicPartition> rescan = new HashSet<>();
    for (String id : reused) {
      rescan.add(partitionOf(id));
    }
    consumer.assign(eventPartitions);
    for (TopicPartition tp : eventPartitions) {
      consumer.seek(tp, rescan.contains(tp) ? 0 : from.getOrDefault(tp, 0L));
    }
    long deadline = timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    while (!pending.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("no end after " + timeout + " for " + String.join(", ", pending));
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        if (r.key() == null || r.value() == null || !pending.contains(r.key())) {
          continue; // a tombstone is no event (anyone who may write the topic can publish one)
        }
        JobEvent event;
        try {
          event = topics.jobEvents().valueSerde().deserializer().deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
          continue; // not ours to judge; the farm dead-letters what it cannot read
        }
        boolean before = r.offset() < from.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L);
        String id = r.key();
        if (before) {
          if (event instanceof JobEvent.Accepted) {
            acceptedBefore.put(id, true);
            terminalBefore.remove(id);
          } else if (event.terminal() && acceptedBefore.getOrDefault(id, false)) {
            terminalBefore.put(id, event);
          }
          continue;
        }
        listener.onEvent(event);
        if (answers.test(event)) {
          terminal.put(id, event);
          pending.remove(id);
        }
      }
      // Reused ids whose earlier run ended: the farm ignores the repeat, so that run is the answer.
      for (String id : new ArrayList<>(pending)) {
        JobEvent earlier = terminalBefore.get(id);
        if (earlier != null && caughtUp(partitionOf(id), from)) {
          listener.onEvent(earlier);
          terminal.put(id, earlier);
          pending.remove(id);
        }
      }
    }
    return terminal;
  }

  private boolean caughtUp(TopicPartition tp, Map<TopicPartition, Long> from) {
    return consumer.position(tp) >= from.getOrDefault(tp, 0L);
  }

  /** Every event of a job so far, oldest first. */
  List<JobEvent> history(String id) {
    TopicPartition tp = partitionOf(id);
    long end = consumer.endOffsets(List.of(tp)).get(tp);
    consumer.assign(List.of(tp));
    consumer.seek(tp, 0);
    List<JobEvent> out = new ArrayList<>();
    while (consumer.position(tp) < end) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (id.equals(r.key()) && r.value() != null) {
          try {
            out.add(topics.jobEvents().valueSerde().deserializer().deserialize(r.topic(), r.value()));
          } catch (RuntimeException e) {
            // skip what cannot be read
          }
        }
      }
    }
    return out;
  }

  /**
   * Whether a job (not a cancel request) keyed {@code id} is on the jobs topic: one submitted that the splitter
   * may not have taken up yet.
   */
  boolean submitted(String id) {
    List<TopicPartition> parts = new ArrayList<>();
    for (PartitionInfo info : consumer.partitionsFor(topics.jobs().name(), Duration.ofSeconds(30))) {
      parts.add(new TopicPartition(info.topic(), info.partition()));
    }
    parts.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
    TopicPartition tp = parts.get(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % parts.size());
    long end = consumer.endOffsets(List.of(tp)).get(tp);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    while (consumer.position(tp) < end) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (id.equals(r.key()) && r.value() != null) {
          try {
            var json = Json.MAPPER.readTree(r.value());
            if (!json.has("cancel") && dev.tilefarm.schemas.JobCodec.SCHEDULE_KEYS.stream().noneMatch(json::has)) {
              return true;
            }
          } catch (IOException e) {
            return true; // a job the splitter will reject: it arrived all the same
          }
        }
      }
    }
    return false;
  }

  /**
   * Where every job on the job events topic stands now: each partition read from the start to its end as of this
   * call, each job's events folded in order ({@link JobStates#apply}). Events that cannot be read are skipped.
   */
  Map<String, JobStates.JobState> states() {
    Map<TopicPartition, Long> end = consumer.endOffsets(eventPartitions);
    consumer.assign(eventPartitions);
    consumer.seekToBeginning(eventPartitions);
    Map<String, JobStates.JobState> out = new HashMap<>();
    while (eventPartitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.key() == null || r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
          continue;
        }
        try {
          JobEvent e = topics.jobEvents().valueSerde().deserializer().deserialize(r.topic(), r.value());
          if (r.key().equals(e.jobId())) {
            out.put(e.jobId(), JobStates.apply(out.get(e.jobId()), e));
          }
        } catch (RuntimeException e) {
          // skip what cannot be read; the farm dead-letters it
        }
      }
    }
    return out;
  }

  /** Told each event of a job with the job's state after it. */
  interface StateListener {
    void onEvent(JobEvent event, JobStates.JobState state);
  }

  /**
   * {@link #follow(String, Duration, Listener, Runnable)} with the job's state kept for {@code listener}, saying on
   * {@code progress} that the job has no events yet, if so (it may not have been split yet).
   */
  JobEvent follow(String id, Duration timeout, Progress progress, StateListener listener) throws TimeoutException {
    JobStates.JobState[] state = {null};
    return follow(id, timeout, e -> {
      state[0] = JobStates.apply(state[0], e);
      listener.onEvent(e, state[0]);
    }, () -> progress.note("no events for job " + id + " yet (unknown, or not split yet); waiting (Ctrl-C stops)"));
  }

  /**
   * Every event of job {@code id} so far, oldest first.
   *
   * @throws Main.JobsFailedException if it has none: the job is unknown, or not picked up yet
   */
  List<JobEvent> knownHistory(String id) throws Main.JobsFailedException {
    List<JobEvent> events = history(id);
    if (events.isEmpty()) {
      throw new Main.JobsFailedException("no events for job " + id + " (unknown, or not picked up yet)");
    }
    return events;
  }

  /**
   * Hands {@code listener} every event of job {@code id}, from its first, as they come, until its first terminal
   * event, which is returned. A job with no events yet is waited for: it may not have been split yet.
   *
   * @param timeout how long to wait for the end (zero: no limit)
   * @param noneYet run once if the job had no events when this call began (to say so), once that is known
   * @throws TimeoutException if the job has not ended when {@code timeout} has passed
   */
  JobEvent follow(String id, Duration timeout, Listener listener, Runnable noneYet) throws TimeoutException {
    TopicPartition tp = partitionOf(id);
    long end = consumer.endOffsets(List.of(tp)).get(tp);
    consumer.assign(List.of(tp));
    consumer.seek(tp, 0);
    boolean seen = false;
    boolean told = false;
    long deadline = timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("job " + id + " did not end within " + timeout.toSeconds() + " s");
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofNanos(Math.min(left,
          TimeUnit.MILLISECONDS.toNanos(100))))) {
        if (!id.equals(r.key())) {
          continue;
        }
        JobEvent event;
        try {
          event = topics.jobEvents().valueSerde().deserializer().deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
          continue;
        }
        seen = true;
        listener.onEvent(event);
        if (event.terminal()) {
          return event;
        }
      }
      if (!seen && !told && consumer.position(tp) >= end) {
        told = true;
        noneYet.run();
      }
    }
  }

  /** The partition a job's events land on: the producer's default partitioner for the key. */
  TopicPartition partitionOf(String id) {
    int n = eventPartitions.size();
    return eventPartitions.get(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % n);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
    consumer.close(Duration.ofSeconds(5));
  }
}
