package dev.tilefarm.schemas;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the farm, declared once. Names are {@code prefix + base name}; the default prefix is
 * {@value #DEFAULT_PREFIX}. Keys are job ids, except on the tile task topic, whose key is
 * {@code jobId/tileIndex} so that one job's tiles spread over all partitions.
 */
public final class Topics {
  public static final String DEFAULT_PREFIX = "tilefarm.";

  private final String prefix;
  private final Topic<String, byte[]> jobs;
  private final Topic<String, JobEvent> jobEvents;
  private final Topic<String, TileTask> tileTasks;
  private final Topic<String, TileResult> tileResults;
  private final Topic<String, DeadLetter> deadLetter;
  private final Topic<String, JobControl> jobControl;
  private final Topic<String, WorkerStatus> workers;
  private final Topic<byte[], byte[]> uploads;
  /** Tile tasks of the renderers only some workers have, by renderer. */
  private final java.util.Map<Renderer, Topic<String, TileTask>> rendererTasks =
      new java.util.EnumMap<>(Renderer.class);

  public Topics(String prefix) {
    if (prefix == null || !prefix.matches("[A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("topic prefix '" + prefix
          + "' may hold only letters, digits, '.', '_' and '-'");
    }
    this.prefix = prefix;
    // Job requests stay raw bytes: the splitter decodes them itself to tell undecodable from invalid.
    jobs = new Topic<>(prefix + "jobs", Serdes.String(), Serdes.ByteArray());
    jobEvents = new Topic<>(prefix + "job-events", Serdes.String(), new JsonSerde<>(JobEvent.class));
    tileTasks = new Topic<>(prefix + "tile-tasks", Serdes.String(), new JsonSerde<>(TileTask.class));
    tileResults = new Topic<>(prefix + "tile-results", Serdes.String(), new JsonSerde<>(TileResult.class));
    deadLetter = new Topic<>(prefix + "dead-letter", Serdes.String(), new JsonSerde<>(DeadLetter.class));
    jobControl = new Topic<>(prefix + "job-control", Serdes.String(), new JsonSerde<>(JobControl.class));
    workers = new Topic<>(prefix + "workers", Serdes.String(), new JsonSerde<>(WorkerStatus.class));
    // Raw bytes: the trigger decodes notifications itself, to dead-letter those it cannot read.
    uploads = new Topic<>(prefix + "uploads", Serdes.ByteArray(), Serdes.ByteArray());
    for (Renderer renderer : Renderer.externals()) {
      rendererTasks.put(renderer, new Topic<>(prefix + "tile-tasks." + renderer.id(), Serdes.String(),
          new JsonSerde<>(TileTask.class)));
    }
  }

  /**
   * The topic of a job's tile tasks: {@code tile-tasks.RENDERER} for a renderer only some workers have
   * (povray, blender), which only workers that have it subscribe to; {@link #tileTasks()} for the rest.
   */
  public Topic<String, TileTask> tileTasksFor(JobRequest job) {
    return Renderer.lane(job).map(rendererTasks::get).orElse(tileTasks);
  }

  /** The topic of the tile tasks of the renderer whose {@link Renderer#id()} is {@code renderer}. */
  public Topic<String, TileTask> tileTasksFor(String renderer) {
    return Renderer.find(renderer).filter(Renderer::external).map(rendererTasks::get).orElse(tileTasks);
  }

  /** Every tile task topic: the shared one first, then one per renderer only some workers have. */
  public List<Topic<String, TileTask>> allTileTasks() {
    List<Topic<String, TileTask>> out = new java.util.ArrayList<>();
    out.add(tileTasks);
    out.addAll(rendererTasks.values());
    return out;
  }

  /** Worker heartbeats (JSON, key = worker id, compacted; see {@link WorkerStatus}). */
  public Topic<String, WorkerStatus> workers() {
    return workers;
  }

  public String prefix() {
    return prefix;
  }

  /** Job requests (JSON, key = job id). */
  public Topic<String, byte[]> jobs() {
    return jobs;
  }

  /** Job events (JSON, key = job id): what dashboards and clients follow. */
  public Topic<String, JobEvent> jobEvents() {
    return jobEvents;
  }

  /** Tile tasks (JSON, key = jobId/tileIndex), shared by all workers. */
  public Topic<String, TileTask> tileTasks() {
    return tileTasks;
  }

  /** Tile results (JSON, key = job id, so one job's results stay in order on one partition). */
  public Topic<String, TileResult> tileResults() {
    return tileResults;
  }

  /** Records no role could decode, with their bytes and the error. */
  public Topic<String, DeadLetter> deadLetter() {
    return deadLetter;
  }

  /**
   * What the splitter tells the compositor about each job (JSON, key = job id): planned, cancel. Always has
   * the partition count of {@link #tileResults()} ({@link TopicAdmin} sees to it), so that a job's control
   * records and its tile results are processed by the same compositor task.
   */
  public Topic<String, JobControl> jobControl() {
    return jobControl;
  }

  /**
   * Object-store notifications (JSON, as MinIO or an S3-to-Kafka bridge publishes them) that the upload trigger
   * turns into process jobs. Not in {@link #all()}: it is created only where a trigger runs, or by
   * {@code tilefarm acl apply}.
   */
  public Topic<byte[], byte[]> uploads() {
    return uploads;
  }

  /** The topics every farm has (all but {@link #uploads()}). */
  public List<Topic<?, ?>> all() {
    List<Topic<?, ?>> all = new java.util.ArrayList<>(List.of(jobs, jobEvents, tileTasks, tileResults, deadLetter,
        jobControl, workers));
    all.addAll(rendererTasks.values());
    return List.copyOf(all);
  }

  /**
   * The share group of the workers that take a tile task topic's tiles: {@code tilefarm.render-workers} for
   * {@link #tileTasks()}, {@code tilefarm.render-workers.RENDERER} for a renderer's own topic. One group per topic,
   * because a share group's partitions are balanced over its members by count across all its topics.
   */
  public String taskGroup(String taskTopic) {
    for (Map.Entry<Renderer, Topic<String, TileTask>> e : rendererTasks.entrySet()) {
      if (e.getValue().name().equals(taskTopic)) {
        return groupId("render-workers." + e.getKey().id());
      }
    }
    if (!taskTopic.equals(tileTasks.name())) {
      throw new IllegalArgumentException(taskTopic + " is not a tile task topic");
    }
    return groupId("render-workers");
  }

  /** The application id (consumer group) of a role, e.g. {@code tilefarm.compositor}. */
  public String groupId(String role) {
    return prefix + role;
  }
}
