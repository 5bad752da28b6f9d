package dev.tilefarm.trigger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.clients.ConsumerThreads;
import dev.tilefarm.clients.TopicSetup;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.schemas.UndecodableException;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.DeadLetters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upload-trigger role: reads object-store notifications from the uploads topic ({@code PREFIX uploads},
 * where MinIO or an S3-to-Kafka bridge publishes them), turns each new object that a rule matches into a
 * process job ({@link TriggerRules}), and publishes it to the jobs topic keyed by its id. A record that is no
 * notification goes to the dead-letter topic with the error.
 *
 * <p>At least once: offsets are committed after the jobs are acknowledged by the broker. A notification read
 * twice gives the same job id, which the splitter runs once.
 */
public final class UploadTrigger implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UploadTrigger.class);
  /** The role named in dead letters and in the consumer group. */
  static final String ROLE = "upload-trigger";

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;
  private final TriggerRules rules;
  private final DeadLetters letters;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private volatile long jobs;

  private UploadTrigger(String bootstrap, Topics topics, TriggerRules rules, Map<String, String> kafkaOverrides,
      DeadLetters letters) {
    this.letters = letters;
    this.topics = topics;
    this.rules = rules;
    consumer = new KafkaConsumer<>(ClientProperties.CONSUMER.of(bootstrap, Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, topics.groupId(ROLE),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), kafkaOverrides),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    producer = new KafkaProducer<>(ClientProperties.PRODUCER.of(bootstrap, Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"), kafkaOverrides),
        new StringSerializer(), new ByteArraySerializer());
    thread = new Thread(this::loop, ROLE);
  }

  /**
   * Starts reading notifications, creating the uploads topic (with {@code partitions}) if it is missing, as
   * every role creates the topics it uses.
   *
   * @param rulesJson the rules file's content (see {@link TriggerRules})
   * @param blobs where the bytes of dead letters too large for a record are kept (see {@link DeadLetters})
   * @throws IllegalArgumentException naming the rule and field when the rules are not valid
   */
  public static UploadTrigger start(String bootstrap, Topics topics, int partitions, byte[] rulesJson,
      Map<String, String> kafkaOverrides, BlobStore blobs) {
    TriggerRules rules = rules(rulesJson);
    ensureTopic(bootstrap, topics, partitions, kafkaOverrides);
    UploadTrigger t = new UploadTrigger(bootstrap, topics, rules, kafkaOverrides,
        DeadLetters.of(blobs, ROLE, kafkaOverrides));
    t.consumer.subscribe(List.of(topics.uploads().name()));
    t.thread.start();
    log.info("upload trigger: {} rules on {}", rules.rules().size(), topics.uploads().name());
    return t;
  }

  /**
   * Checks a rules file without starting anything, e.g. for deployment checks; returns the number of rules.
   *
   * @throws IllegalArgumentException naming the rule and field when the rules are not valid
   */
  public static int checkRules(byte[] rulesJson) {
    return rules(rulesJson).rules().size();
  }

  private static TriggerRules rules(byte[] rulesJson) {
    try {
      return TriggerRules.parse(rulesJson);
    } catch (TriggerRules.InvalidRulesException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static void ensureTopic(String bootstrap, Topics topics, int partitions, Map<String, String> overrides) {
    try (Admin admin = Admin.create(ClientProperties.ADMIN.of(bootstrap, overrides))) {
      TopicSetup.ensureUploads(admin, topics, partitions);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the uploads topic", e);
    }
  }

  /** Why the trigger is not reading notifications, or null while it is (or is being closed). */
  public String failure() {
    return running.get() && !thread.isAlive() ? "its poll loop stopped" : null;
  }

  /** Jobs published so far. */
  public long jobs() {
    return jobs;
  }

  private void loop() {
    try {
      while (running.get()) {
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          try {
            handle(r);
          } catch (org.apache.kafka.common.KafkaException e) {
            throw e;
          } catch (RuntimeException e) {
            // Whatever a notification holds, the trigger moves past it.
            deadLetter(r, "the upload trigger failed on this record: " + e);
          }
        }
        if (!records.isEmpty()) {
          producer.flush(); // acknowledged before the offsets move on
          consumer.commitSync();
        }
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } finally {
      consumer.close();
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> r) {
    S3Event event;
    try {
      event = S3Event.parse(r.value());
    } catch (UndecodableException e) {
      deadLetter(r, e.getMessage());
      return;
    }
    for (S3Event.Created created : event.created()) {
      ObjectNode job = rules.jobFor(created);
      if (job == null) {
        log.debug("no rule for s3://{}/{}", created.bucket(), created.key());
        continue;
      }
      String id = job.get("id").asText();
      try {
        producer.send(new ProducerRecord<>(topics.jobs().name(), id, Json.MAPPER.writeValueAsBytes(job)));
        jobs++;
        log.info("s3://{}/{} -> job {} ({})", created.bucket(), created.key(), id, job.get("output").asText());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> r, String error) {
    log.warn("dead-lettered {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), error);
    DeadLetter letter = letters.letter(r.topic(), r.partition(), r.offset(), r.key(), r.value(), error,
        System.currentTimeMillis());
    byte[] value = topics.deadLetter().valueSerde().serializer().serialize(topics.deadLetter().name(), letter);
    producer.send(new ProducerRecord<>(topics.deadLetter().name(), DeadLetters.recordKey(r.key()), value),
        (meta, e) -> {
          if (e != null) {
            log.error("could not dead-letter {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
          }
        });
  }

  @Override
  public void close() {
    running.set(false);
    ConsumerThreads.stop(consumer, thread, Duration.ofSeconds(30));
    producer.close(Duration.ofSeconds(10));
  }
}
