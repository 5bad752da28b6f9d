package dev.tilefarm.api;

import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topic;
import dev.tilefarm.schemas.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the backlog of each role's group on its input topics, and which workers are in the share group,
 * every few seconds through the Admin API. The backlog is what a queue-driven autoscaler (KEDA, see
 * {@code deploy/k8s}) scales workers on, published as the gauge {@code tilefarm.backlog.records} with tags
 * {@code topic} and {@code group}: one series per tile task topic of the workers' share group (the shared
 * {@code tile-tasks} and each per-renderer {@code tile-tasks.RENDERER}, since only workers with that renderer
 * drain it), so the workers' total backlog is the sum over the group's topics. Kafka's own lag tools do not
 * know share groups yet, so this is the one place the workers' backlog is measured: records of a tile task
 * topic not yet acknowledged. A topic that does not exist (yet) has no backlog.
 */
final class BacklogProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BacklogProbe.class);
  static final long PERIOD_MS = 2_000;

  private final Admin admin;
  private final Topics topics;
  private final FarmView view;
  private final MultiGauge backlogGauge;
  private final AtomicInteger members = new AtomicInteger();
  private final ScheduledExecutorService timer;

  BacklogProbe(Admin admin, Topics topics, FarmView view, MeterRegistry registry) {
    this.admin = admin;
    this.topics = topics;
    this.view = view;
    this.backlogGauge = MultiGauge.builder("tilefarm.backlog.records")
        .description("records of a topic that its group has not yet processed (for the workers: not acknowledged)")
        .baseUnit("records")
        .register(registry);
    Gauge.builder("tilefarm.workers.members", members, AtomicInteger::get)
        .description("workers in the share group of the shared tile task topic (every worker is in it)")
        .register(registry);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tilefarm-backlog-probe");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    timer.scheduleWithFixedDelay(this::probeQuietly, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  /** The share group every worker is in: the one of the shared tile task topic. */
  String workersGroup() {
    return topics.groupId("render-workers");
  }

  private void probeQuietly() {
    try {
      probe();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("measuring the backlog: {}", e.toString());
    }
  }

  /** Measures once and publishes the result to the view and the gauges. */
  void probe() throws Exception {
    Set<String> clientIds = new HashSet<>();
    try {
      ShareGroupDescription d = admin.describeShareGroups(List.of(workersGroup())).all()
          .get(10, TimeUnit.SECONDS).get(workersGroup());
      for (ShareMemberDescription m : d.members()) {
        clientIds.add(m.clientId());
      }
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof GroupIdNotFoundException)) {
        throw e;
      }
    }
    members.set(clientIds.size());
    List<FarmView.Backlog> backlog = new ArrayList<>();
    // Each task topic has its workers' share group of its own (Topics.taskGroup).
    for (Topic<String, TileTask> tasks : topics.allTileTasks()) {
      String group = topics.taskGroup(tasks.name());
      backlog.add(new FarmView.Backlog(tasks.name(), group, shareBacklog(tasks.name(), shareOffsets(group))));
    }
    backlog.add(new FarmView.Backlog(topics.jobs().name(), topics.groupId("tile-splitter"),
        consumerBacklog(topics.groupId("tile-splitter"), topics.jobs().name())));
    backlog.add(new FarmView.Backlog(topics.tileResults().name(), topics.groupId("compositor"),
        consumerBacklog(topics.groupId("compositor"), topics.tileResults().name())));
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (FarmView.Backlog b : backlog) {
      rows.add(MultiGauge.Row.of(Tags.of("topic", b.topic(), "group", b.group()), b.records()));
    }
    backlogGauge.register(rows, true);
    view.onGroupState(clientIds, backlog);
  }

  /** A share group's state of every partition it has taken records from. */
  private Map<TopicPartition, SharePartitionOffsetInfo> shareOffsets(String group) throws Exception {
    try {
      Map<TopicPartition, SharePartitionOffsetInfo> offsets = admin.listShareGroupOffsets(
          Map.of(group, new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group)
          .get(10, TimeUnit.SECONDS);
      return offsets == null ? Map.of() : offsets;
    } catch (java.util.concurrent.ExecutionException e) {
      return Map.of(); // no group yet: no worker has started
    }
  }

  /**
   * Records of {@code topic} the share group has not acknowledged: the group's lag where the broker knows it,
   * else from the group's start offset (or, for a partition the group never read, the earliest offset) to the
   * latest.
   */
  private long shareBacklog(String topic, Map<TopicPartition, SharePartitionOffsetInfo> offsets) throws Exception {
    Map<TopicPartition, Long> end = ends(topic, OffsetSpec.latest());
    if (end.isEmpty()) {
      return 0;
    }
    Map<TopicPartition, Long> start = ends(topic, OffsetSpec.earliest());
    long total = 0;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      SharePartitionOffsetInfo info = offsets.get(e.getKey());
      if (info != null && info.lag().isPresent()) {
        total += info.lag().get();
      } else {
        long from = info != null && info.startOffset() >= 0 ? info.startOffset() : start.get(e.getKey());
        total += Math.max(0, e.getValue() - from);
      }
    }
    return total;
  }

  private long consumerBacklog(String group, String topic) throws Exception {
    Map<TopicPartition, Long> end = ends(topic, OffsetSpec.latest());
    Map<TopicPartition, Long> start = ends(topic, OffsetSpec.earliest());
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    long total = 0;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      total += Math.max(0, e.getValue() - (c == null ? start.get(e.getKey()) : c.offset()));
    }
    return total;
  }

  /** The offsets of every partition of {@code topic}; none for a topic that does not exist. */
  private Map<TopicPartition, Long> ends(String topic, OffsetSpec spec) throws Exception {
    int partitions;
    try {
      partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
          .partitions().size();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Map.of();
      }
      throw e;
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(topic, p), spec);
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    // Read-committed: aborted and open transactions are no backlog of anyone's.
    admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
        .get(10, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
