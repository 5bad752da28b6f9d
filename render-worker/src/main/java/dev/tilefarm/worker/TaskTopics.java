package dev.tilefarm.worker;

import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.TopicAdmin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task topics a worker reads and their share groups: which topics (the renderers this machine has), and
 * their creation and configuration at start-up.
 */
final class TaskTopics {
  private static final Logger log = LoggerFactory.getLogger(TaskTopics.class);

  private TaskTopics() {}

  /**
   * The shared tile topic, plus the topic of each renderer this machine has and takes: tiles of a renderer it lacks
   * or has turned off ({@link WorkerRenderers}) never reach it (TileRenderer.available()).
   *
   * @throws WorkerRenderers.NotAvailableException a renderer named in {@code worker.renderers} cannot run here
   */
  static List<String> of(WorkerConfig config, TileMaker maker) {
    List<String> taskTopics = new ArrayList<>();
    for (String renderer : maker.renderers()) {
      String topic = config.topics().tileTasksFor(renderer).name();
      if (!taskTopics.contains(topic)) {
        taskTopics.add(topic);
      }
    }
    for (Renderer renderer : Renderer.externals()) {
      String why = maker.unavailable(renderer.id());
      if (why != null && config.limits().renderers().requires(renderer)) {
        throw new WorkerRenderers.NotAvailableException(renderer, why);
      }
      if (why != null) {
        log.info("worker {} does not take {} tiles: {}", config.workerId(), renderer.id(), why);
      }
    }
    return taskTopics;
  }

  /**
   * Creates missing topics and configures one share group per task topic: the broker balances a group's
   * partitions over its members by count across all the group's topics, so in one group for all of them an idle
   * renderer's topic would stand in for a share of the busy one's (one worker would get every tile-tasks
   * partition and another none).
   */
  static void prepare(WorkerConfig config, List<String> taskTopics) throws InterruptedException {
    try (Admin admin = Admin.create(WorkerClients.adminProperties(config))) {
      TopicAdmin.ensure(admin, config.topics(), config.layout());
      for (String topic : taskTopics) {
        configureGroup(admin, config, config.topics().taskGroup(topic));
      }
    }
  }

  /**
   * The share group's settings, which every worker sets alike at start-up:
   * <ul>
   *   <li>start at the earliest task (a share group starts at the latest by default, which would skip tasks
   *       published before the first worker joined);
   *   <li>read committed: the splitter publishes tasks in transactions, and an aborted one's tasks must not
   *       be made;
   *   <li>the lock duration (how long a silent worker keeps a tile) and RENEW acknowledgements on;
   *   <li>the delivery count limit above {@code maxAttempts}, see {@link WorkerConfig#DELIVERY_LIMIT}.
   * </ul>
   */
  private static void configureGroup(Admin admin, WorkerConfig config, String group) throws InterruptedException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
    List<AlterConfigOp> ops = new ArrayList<>();
    Map.of("share.auto.offset.reset", "earliest",
        "share.isolation.level", "read_committed",
        "share.record.lock.duration.ms", String.valueOf(config.lockDuration().toMillis()),
        "share.renew.acknowledge.enable", "true",
        "share.delivery.count.limit", String.valueOf(WorkerConfig.DELIVERY_LIMIT))
        .forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
    try {
      admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("configuring share group " + group + " (lock duration "
          + config.lockDuration().toMillis() + " ms): " + cause.getMessage(), cause);
    }
  }
}
