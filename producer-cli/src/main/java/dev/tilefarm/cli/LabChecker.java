package dev.tilefarm.cli;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Topic;
import dev.tilefarm.store.BlobStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The lab's checker: what happened, from the farm's own records, read committed, and from S3 directly (not through
 * the fault proxy). Every submitted job must have exactly one terminal event; a COMPLETED job's output must have
 * the sha256 its event gives and that of the same spec's fault-free reference; no tile object may be left once the
 * jobs ended; every dead letter must be of a lab job and name in its error a failure that a fault in force then
 * makes ({@link #explain}); every fault must have been observed.
 */
final class LabChecker {
  /** A job the lab submitted: its id and kind. */
  record Submitted(String id, LabWorkload.Kind kind) {}

  /** One job's events, in the order they were read, each with its record timestamp. */
  record Timed(JobEvent event, long timestamp) {}

  /** The outcome: the counts that must be zero, and the table. */
  record Report(int lost, int duplicates, int wrong, int unfinished, int tilesLeft, int unexplained,
      int unobserved, String table) {
    boolean passed() {
      return lost == 0 && duplicates == 0 && wrong == 0 && unfinished == 0 && tilesLeft == 0 && unexplained == 0
          && unobserved == 0;
    }
  }

  /** How long after a fault healed a dead letter is still put down to it. */
  private static final long EXPLAINS_MS = 90_000;

  private final Settings settings;

  LabChecker(Settings direct) {
    this.settings = direct;
  }

  /** Every event of every job on the events topic, by job id. */
  Map<String, List<Timed>> events() {
    Map<String, List<Timed>> out = new TreeMap<>();
    readAll(settings.topics().jobEvents(), (r, e) -> out.computeIfAbsent(r.key(), k -> new ArrayList<>())
        .add(new Timed(e, r.timestamp())));
    return out;
  }

  List<DeadLetter> deadLetters() {
    List<DeadLetter> out = new ArrayList<>();
    readAll(settings.topics().deadLetter(), (r, d) -> out.add(d));
    return out;
  }

  private <V> void readAll(Topic<String, V> topic,
      java.util.function.BiConsumer<ConsumerRecord<String, byte[]>, V> sink) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null || r.value() == null) {
            continue;
          }
          try {
            sink.accept(r, topic.valueSerde().deserializer().deserialize(r.topic(), r.value()));
          } catch (RuntimeException e) {
            // a record the farm could not have written; not a lab job's
          }
        }
      }
    }
  }

  /**
   * Checks the run. {@code references}: kind name -> the reference job's events; {@code notReached}: the fault
   * kinds the nemesis could inject but had no time for; {@code tilesGrace}: how long to wait for the tiles of ended
   * jobs to be cleaned up.
   */
  Report check(List<Submitted> jobs, Map<String, List<Timed>> references, List<LabNemesis.Record> faults,
      List<LabNemesis.Kind> notReached, List<String> unplannedExits, Duration tilesGrace) throws Exception {
    Map<String, List<Timed>> events = events();
    StringBuilder problems = new StringBuilder();
    int lost = 0;
    int duplicates = 0;
    int wrong = 0;
    Map<String, int[]> byKind = new TreeMap<>(); // submitted, completed, cancelled, failed, rejected
    try (BlobStore blobs = BlobStore.connect(settings.s3())) {
      for (Submitted job : jobs) {
        int[] counts = byKind.computeIfAbsent(job.kind().name(), k -> new int[5]);
        counts[0]++;
        List<Timed> history = events.getOrDefault(job.id(), List.of());
        List<JobEvent> terminal = history.stream().map(Timed::event).filter(JobEvent::terminal).toList();
        if (terminal.isEmpty()) {
          lost++;
          problems.append("  lost: ").append(job.id()).append(" has no terminal event (").append(history.size())
              .append(" events)\n");
          continue;
        }
        if (terminal.size() > 1) {
          duplicates++;
          problems.append("  duplicate: ").append(job.id()).append(" ended ").append(terminal.size())
              .append(" times: ").append(terminal).append('\n');
        }
        JobEvent end = terminal.get(0);
        switch (end) {
          case JobEvent.Completed c -> counts[1]++;
          case JobEvent.Cancelled c -> counts[2]++;
          case JobEvent.Failed f -> counts[3]++;
          case JobEvent.Rejected r -> counts[4]++;
          default -> { }
        }
        String why = wrongOutcome(job, history, end, references.get(job.kind().name()), blobs);
        if (why != null) {
          wrong++;
          problems.append("  wrong: ").append(job.id()).append(": ").append(why).append('\n');
        }
      }
      int tilesLeft = tilesLeft(blobs, jobs, tilesGrace);
      if (tilesLeft > 0) {
        problems.append("  ").append(tilesLeft).append(" tile objects of ended jobs left under tiles/\n");
      }
      List<DeadLetter> letters = deadLetters();
      int unexplained = 0;
      Set<String> ours = new java.util.HashSet<>(jobs.stream().map(Submitted::id).toList());
      references.values().forEach(h -> h.forEach(t -> ours.add(t.event().jobId())));
      for (DeadLetter d : letters) {
        String why = explain(d, faults, ours::contains);
        String where = d.sourceTopic() + "-" + d.partition() + "@" + d.offset() + " (job " + jobOf(d) + ", from "
            + d.role() + ")";
        if (why == null) {
          unexplained++;
          problems.append("  unexplained dead letter ").append(where).append(" at ").append(d.timestamp())
              .append(": ").append(d.error()).append('\n');
        } else {
          problems.append("  dead letter ").append(where).append(": ").append(why).append('\n');
        }
      }
      int unobserved = (int) faults.stream().filter(f -> !f.observed()).count();
      int unfinished = lost;
      if (!notReached.isEmpty()) {
        problems.append("  not a loss, but: fault kinds this run's time did not reach: ").append(notReached)
            .append('\n');
      }
      for (String exit : unplannedExits) {
        problems.append("  not a loss, but: ").append(exit).append(", restarted by the lab's supervisor\n");
      }
      String table = table(byKind, faults, events, jobs, lost, duplicates, wrong, tilesLeft, letters.size(),
          unexplained, unobserved) + (problems.isEmpty() ? "" : "\nnotes:\n" + problems);
      return new Report(lost, duplicates, wrong, unfinished, tilesLeft, unexplained, unobserved, table);
    }
  }

  /**
   * What a dead letter's own content says failed, as the fault kinds that make that failure: the farm's S3 client
   * names the status and message of an answer (the proxy's errors say they were injected), a read that timed out, a
   * connection refused, a body cut short or changed on the way; anything else (the broker away, a fenced producer)
   * is what kills, freezes and partitions make.
   */
  static java.util.EnumSet<LabNemesis.Kind> causes(String error) {
    String e = error == null ? "" : error;
    java.util.EnumSet<LabNemesis.Kind> out = java.util.EnumSet.noneOf(LabNemesis.Kind.class);
    if (e.contains("injected by the S3 fault proxy")) {
      for (var k : List.of(LabNemesis.Kind.S3_500, LabNemesis.Kind.S3_503, LabNemesis.Kind.S3_429)) {
        if (e.contains(": " + k.name().substring(3) + " ")) {
          out.add(k);
        }
      }
      return out;
    }
    if (e.contains("changed on the way")) {
      out.add(LabNemesis.Kind.S3_CORRUPTED);
    }
    if (e.contains("cut short") || e.contains("Premature EOF")) {
      out.add(LabNemesis.Kind.S3_TRUNCATED);
    }
    if (e.contains("Connection refused")) {
      out.add(LabNemesis.Kind.S3_DOWN);
    }
    if (e.toLowerCase(java.util.Locale.ROOT).contains("timed out")) {
      out.add(LabNemesis.Kind.S3_SLOW);
      // a cut host answers nothing either
      out.addAll(java.util.Arrays.stream(LabNemesis.Kind.values()).filter(LabNemesis.Kind::partition).toList());
    }
    if (out.isEmpty()) {
      out.addAll(java.util.Arrays.stream(LabNemesis.Kind.values()).filter(k -> k.process).toList());
    }
    return out;
  }

  /** The job a dead letter's record is of: its key, else the {@code jobId} its value names; "?" if neither. */
  static String jobOf(DeadLetter d) {
    java.util.Base64.Decoder b64 = java.util.Base64.getDecoder();
    try {
      if (d.keyBase64() != null) {
        return new String(b64.decode(d.keyBase64()), java.nio.charset.StandardCharsets.UTF_8);
      }
      if (d.valueBase64() != null) {
        var m = java.util.regex.Pattern.compile("\"jobId\"\\s*:\\s*\"([^\"]+)\"")
            .matcher(new String(b64.decode(d.valueBase64()), java.nio.charset.StandardCharsets.UTF_8));
        if (m.find()) {
          return m.group(1);
        }
      }
    } catch (IllegalArgumentException e) {
      // not base64: no job to tell
    }
    return "?";
  }

  /**
   * Which fault explains the dead letter, by its content and its time: a fault of a kind its error names ({@link
   * #causes}), in force when the record was given up or healed at most {@link #EXPLAINS_MS} before, and a record of
   * one of the lab's own jobs ({@code ours}). Null if none does.
   */
  static String explain(DeadLetter d, List<LabNemesis.Record> faults, java.util.function.Predicate<String> ours) {
    String job = jobOf(d);
    if (!ours.test(job)) {
      return null;
    }
    var kinds = causes(d.error());
    return faults.stream().filter(f -> kinds.contains(f.kind()) && d.timestamp() >= f.start()
        && d.timestamp() <= f.end() + EXPLAINS_MS).findFirst()
        .map(f -> f.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " of " + f.target()
            + " from " + f.start() + " to " + f.end() + " (" + f.note() + "), as its error says: " + d.error())
        .orElse(null);
  }

  /** Why the job's end is not what it should be, or null if it is. */
  private static String wrongOutcome(Submitted job, List<Timed> history, JobEvent end, List<Timed> reference,
      BlobStore blobs) throws Exception {
    switch (job.kind().expect()) {
      case CANCELLED -> {
        return end instanceof JobEvent.Cancelled || end instanceof JobEvent.Completed ? null
            : "should have ended CANCELLED, ended " + end;
      }
      case TIME_LIMIT -> {
        return end instanceof JobEvent.Failed f && f.reason().toLowerCase(java.util.Locale.ROOT).contains("time")
            || end instanceof JobEvent.Completed ? null : "should have ended FAILED for its time limit, ended " + end;
      }
      case REFERENCE -> {
        if (!(end instanceof JobEvent.Completed c)) {
          return "should have COMPLETED, ended " + end;
        }
        JobEvent.Completed ref = reference == null ? null : reference.stream().map(Timed::event)
            .filter(e -> e instanceof JobEvent.Completed).map(e -> (JobEvent.Completed) e).findFirst().orElse(null);
        if (ref == null) {
          return "its kind has no fault-free reference";
        }
        List<String> frames = frameDigests(history);
        if (!frames.equals(frameDigests(reference))) {
          return "frames " + frames + " differ from the reference's " + frameDigests(reference);
        }
        if (frames.isEmpty()) {
          if (!c.sha256().equalsIgnoreCase(ref.sha256())) {
            return "sha256 " + c.sha256() + " is not the reference's " + ref.sha256();
          }
          String stored = sha256(blobs.get(c.output()));
          if (!stored.equalsIgnoreCase(c.sha256())) {
            return c.output() + " has sha256 " + stored + ", not the " + c.sha256() + " its event gives";
          }
        }
        return null;
      }
    }
    return null;
  }

  private static List<String> frameDigests(List<Timed> history) {
    return history.stream().map(Timed::event).filter(e -> e instanceof JobEvent.Frame)
        .map(e -> (JobEvent.Frame) e).sorted(java.util.Comparator.comparingInt(JobEvent.Frame::frame))
        .map(f -> f.frame() + ":" + f.sha256()).distinct().toList();
  }

  /** Tile objects of the given jobs still in S3 after {@code grace}. */
  private static int tilesLeft(BlobStore blobs, List<Submitted> jobs, Duration grace) throws InterruptedException {
    Set<String> ids = jobs.stream().map(Submitted::id).collect(Collectors.toSet());
    long deadline = System.nanoTime() + grace.toNanos();
    while (true) {
      int left = (int) blobs.list(blobs.settings().bucket(), "tiles/").stream().filter(l -> {
        String[] parts = l.uri().key().split("/");
        return parts.length > 1 && ids.contains(parts[1]);
      }).count();
      if (left == 0 || System.nanoTime() > deadline) {
        return left;
      }
      Thread.sleep(2000);
    }
  }

  private static String table(Map<String, int[]> byKind, List<LabNemesis.Record> faults,
      Map<String, List<Timed>> events, List<Submitted> jobs, int lost, int duplicates, int wrong, int tilesLeft,
      int letters, int unexplained, int unobserved) {
    StringBuilder t = new StringBuilder();
    t.append("| jobs by kind | submitted | completed | cancelled | failed | rejected |\n");
    t.append("|---|---:|---:|---:|---:|---:|\n");
    int[] total = new int[5];
    byKind.forEach((kind, c) -> {
      t.append(String.format("| %s | %d | %d | %d | %d | %d |%n", kind, c[0], c[1], c[2], c[3], c[4]));
      for (int i = 0; i < 5; i++) {
        total[i] += c[i];
      }
    });
    t.append(String.format("| **all** | %d | %d | %d | %d | %d |%n%n", total[0], total[1], total[2], total[3],
        total[4]));

    Map<LabNemesis.Kind, List<LabNemesis.Record>> byFault = faults.stream()
        .collect(Collectors.groupingBy(LabNemesis.Record::kind, TreeMap::new, Collectors.toList()));
    Map<String, Long> ends = new TreeMap<>();
    for (Submitted j : jobs) {
      events.getOrDefault(j.id(), List.of()).stream().filter(e -> e.event().terminal()).findFirst()
          .ifPresent(e -> ends.put(j.id(), e.timestamp()));
    }
    t.append("| fault | injected | observed | recovery p50 | recovery p99 | recovery max |\n");
    t.append("|---|---:|---:|---:|---:|---:|\n");
    List<String> later = new ArrayList<>();
    // A kill holds the farm back only until the farm has recovered from it (the restart of a broker may take half
    // a minute, through which the farm is to go on); any other fault until it was healed.
    java.util.function.ToLongFunction<LabNemesis.Record> inForceUntil = f -> f.kind().instant()
        ? f.start() + java.util.Objects.requireNonNullElse(recovery(f.start(), jobs, events, ends), 0L) : f.end();
    byFault.forEach((kind, list) -> {
      List<Long> recoveries = new ArrayList<>();
      for (LabNemesis.Record r : list) {
        long from = recoveryFrom(r, faults, inForceUntil);
        if (from != r.recoveryFrom()) {
          later.add(String.format("%s of %s from %.1f s later", name(r.kind()), r.target(),
              (from - r.recoveryFrom()) / 1000.0));
        }
        Long rec = recovery(from, jobs, events, ends);
        if (rec != null) {
          recoveries.add(rec);
        }
      }
      java.util.Collections.sort(recoveries);
      t.append(String.format("| %s | %d | %d | %s | %s | %s |%n", name(kind), list.size(),
          list.stream().filter(LabNemesis.Record::observed).count(),
          seconds(percentile(recoveries, 50)), seconds(percentile(recoveries, 99)),
          seconds(recoveries.isEmpty() ? null : recoveries.get(recoveries.size() - 1))));
    });
    if (!later.isEmpty()) {
      t.append("\nRecovery counted from the heal of another fault in force then: ").append(String.join("; ", later))
          .append('\n');
    }
    t.append('\n');
    t.append(String.format("| lost | duplicate terminal events | wrong outputs | tile objects left | dead letters "
        + "(unexplained) | faults not observed |%n|---:|---:|---:|---:|---:|---:|%n"
        + "| %d | %d | %d | %d | %d (%d) | %d |%n",
        lost, duplicates, wrong, tilesLeft, letters, unexplained, unobserved));
    return t.toString();
  }

  /**
   * When the farm is to make progress again after {@code fault}: its {@link LabNemesis.Record#recoveryFrom()} (the
   * kill, or the heal), moved on to the end of every other fault still in force then ({@code inForceUntil}), again
   * and again, until none is. The two lanes of the nemesis overlap: a broker's partition may heal while S3 is down,
   * and then no job can move until S3 is back; that wait belongs to S3 down (counted from its own heal), not to
   * the partition.
   */
  static long recoveryFrom(LabNemesis.Record fault, List<LabNemesis.Record> all,
      java.util.function.ToLongFunction<LabNemesis.Record> inForceUntil) {
    long from = fault.recoveryFrom();
    boolean moved = true;
    while (moved) {
      moved = false;
      for (LabNemesis.Record other : all) {
        long until = inForceUntil.applyAsLong(other);
        if (other != fault && other.start() <= from && from < until) {
          from = until;
          moved = true;
        }
      }
    }
    return from;
  }

  private static String name(LabNemesis.Kind kind) {
    return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * From {@code from} to the next event of any job unfinished then (submitted before, ended after), in ms; null if
   * no job was unfinished.
   */
  static Long recovery(long from, List<Submitted> jobs, Map<String, List<Timed>> events, Map<String, Long> ends) {
    Long next = null;
    boolean anyUnfinished = false;
    for (Submitted j : jobs) {
      List<Timed> h = events.getOrDefault(j.id(), List.of());
      if (h.isEmpty() || h.get(0).timestamp() > from || ends.getOrDefault(j.id(), Long.MAX_VALUE) < from) {
        continue;
      }
      anyUnfinished = true;
      for (Timed e : h) {
        if (e.timestamp() >= from && !(e.event() instanceof JobEvent.Accepted)) {
          next = next == null ? e.timestamp() : Math.min(next, e.timestamp());
          break;
        }
      }
    }
    return anyUnfinished && next != null ? next - from : null;
  }

  static Long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return null;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static String seconds(Long ms) {
    return ms == null ? "-" : String.format("%.1f s", ms / 1000.0);
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
