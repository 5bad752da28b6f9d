package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.WorkerStatus;
import dev.tilefarm.store.TileKeys;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several workers in one JVM on one {@link WorkerProcess}: each is its own member of the share group and publishes
 * its own status record, while the process has one producer and one job watch for all of them; together they make
 * every tile of a job once. And a worker told to take no external renderer ({@code --renderers none}) is a member
 * of the shared lane's share group alone and advertises no external renderer.
 */
class WorkerProcessIT {
  private static final int MEMBERS = 4;
  private static final int ACROSS = 5;
  private static final int TILE = 16;
  private static final int MILLIS_PER_TILE = 200;

  @TempDir
  Path dir;

  @Test
  void theMembersOfOneProcessAreDistinctShareGroupMembersSharingOneProducer() throws Exception {
    try (WorkerStack stack = new WorkerStack(dir)) {
      WorkerProcess process = WorkerProcess.start(stack.config("swarm", Duration.ofSeconds(15),
          Duration.ofMinutes(1)), stack.blobs);
      Set<String> ids = new TreeSet<>();
      try (process) {
        for (int i = 0; i < MEMBERS; i++) {
          ids.add("swarm-" + i);
          RenderWorker.start(process, "swarm-" + i);
        }
        List<TileTask> tasks = sleepTasks("swarm-job");
        for (TileTask task : tasks) {
          stack.publish(task);
        }
        List<TileResult.Done> done = List.of();
        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (done.size() < tasks.size() && System.nanoTime() < until) {
          done = stack.done("swarm-job", Duration.ofMillis(200));
        }
        // Read on a little: a tile made twice would show as a second DONE.
        done = stack.done("swarm-job", Duration.ofSeconds(2));
        assertEquals(tasks.size(), done.size(), "DONE results of the " + tasks.size() + " tiles: " + done.size());
        Map<Integer, TileResult.Done> byTile = new TreeMap<>();
        for (TileResult.Done d : done) {
          assertTrue(ids.contains(d.worker()), "tile " + d.tile().index() + " was made by " + d.worker());
          assertEquals(null, byTile.put(d.tile().index(), d), "tile " + d.tile().index() + " was made twice");
        }
        for (TileTask task : tasks) {
          TileResult.Done d = byTile.get(task.tile().index());
          assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
              .digest(stack.blobs.get(task.tileUri()))), d.sha256(), "tile " + task.tile().index() + " as stored");
        }
        assertEquals(tasks.size(), process.workers().stream().mapToLong(RenderWorker::tilesDone).sum());

        String group = stack.topics.taskGroup(stack.topics.tileTasks().name());
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", stack.kafka.bootstrapServers()))) {
          ShareGroupDescription description = admin.describeShareGroups(List.of(group)).describedGroups().get(group)
              .get();
          assertEquals(ids, description.members().stream().map(ShareMemberDescription::clientId)
              .collect(Collectors.toCollection(TreeSet::new)), "the members of share group " + group);
        }
        assertEquals(ids, statuses(stack).keySet(), "the workers' status records");
        // Kafka registers an app-info MBean per client, named by its client id.
        assertEquals(List.of("swarm-results"), clientIds("kafka.producer", id -> id.startsWith("swarm")),
            "the process's producers");
        assertEquals(List.of("swarm-watch"), clientIds("kafka.consumer", id -> id.endsWith("-watch")),
            "the process's job watches");
      }
      assertTrue(statuses(stack).values().stream().allMatch(v -> v == null),
          "every worker's status record is a tombstone once the process closed: " + statuses(stack));
    }
  }

  @Test
  void aWorkerTakingNoExternalRendererIsAMemberOfTheSharedGroupAloneAndAdvertisesNone() throws Exception {
    try (WorkerStack stack = new WorkerStack(dir)) {
      WorkerConfig base = stack.config("full", Duration.ofSeconds(15), Duration.ofMinutes(1));
      WorkerConfig lean = new WorkerConfig(base.bootstrapServers(), base.topics(), base.layout(), "lean", 1, 5, 0,
          Map.of(), base.lockDuration(), base.shutdownGrace(), base.transientRetry(), base.blocklistAfter(),
          TileLimits.DEFAULTS.withRenderers(WorkerRenderers.parse("none")));
      // This machine has POV-Ray, Blender and ffmpeg: a worker of the default choice takes all three lanes.
      List<Renderer> installed = Renderer.externals().stream()
          .filter(r -> new dev.tilefarm.worker.render.TileRenderer(1).unavailable(r.id()) == null).toList();
      String shared = stack.topics.taskGroup(stack.topics.tileTasks().name());
      try (RenderWorker full = RenderWorker.start(base, stack.blobs);
          RenderWorker none = RenderWorker.start(lean, stack.blobs);
          Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", stack.kafka.bootstrapServers()))) {
        assertEquals(1, none.consumers().size(), "the lanes of a worker with --renderers none");
        assertEquals(1 + installed.size(), full.consumers().size(), "the lanes of a worker taking " + installed);
        Map<String, Set<String>> members = new TreeMap<>();
        List<String> groups = new java.util.ArrayList<>(List.of(shared));
        installed.forEach(r -> groups.add(stack.topics.taskGroup(stack.topics.tileTasksFor(r.id()).name())));
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
          Thread.sleep(200);
          for (String group : groups) {
            members.put(group, admin.describeShareGroups(List.of(group)).describedGroups().get(group).get().members()
                .stream().map(ShareMemberDescription::clientId).collect(Collectors.toCollection(TreeSet::new)));
          }
        } while (!members.values().stream().allMatch(m -> m.stream().anyMatch(id -> id.startsWith("full")))
            && System.nanoTime() < until);
        assertEquals(Set.of("full", "lean"), members.get(shared), "the members of the shared group " + shared);
        for (String group : groups.subList(1, groups.size())) {
          assertEquals(1, members.get(group).size(), "the members of " + group + ": " + members.get(group));
          assertTrue(members.get(group).iterator().next().startsWith("full"), "the members of " + group + ": "
              + members.get(group));
        }
        WorkerStatus leanStatus = stack.topics.workers().valueSerde().deserializer()
            .deserialize(null, statuses(stack).get("lean"));
        assertEquals(List.of("mandelbrot", "builtin", "sleep"), leanStatus.renderers(), "what lean advertises");
        WorkerStatus fullStatus = stack.topics.workers().valueSerde().deserializer()
            .deserialize(null, statuses(stack).get("full"));
        assertTrue(fullStatus.renderers().containsAll(installed.stream().map(Renderer::id).toList()),
            "what full advertises: " + fullStatus.renderers());
      }
    }
  }

  /** A sleep job of {@code ACROSS x ACROSS} tiles, one task per tile. */
  private static List<TileTask> sleepTasks(String jobId) {
    int side = ACROSS * TILE;
    String job = "{\"id\":\"" + jobId + "\",\"type\":\"render\",\"renderer\":\"sleep\",\"width\":" + side
        + ",\"height\":" + side + ",\"tileSize\":" + TILE + ",\"scene\":{\"millisPerTile\":" + MILLIS_PER_TILE + "}}";
    long acceptedAt = System.currentTimeMillis();
    return java.util.stream.IntStream.range(0, ACROSS * ACROSS).mapToObj(i -> new TileTask(jobId, ACROSS * ACROSS,
        side, side, S3Uri.parse("s3://" + WorkerStack.BUCKET + "/out/" + jobId + ".png"),
        TileKeys.tile(WorkerStack.BUCKET, jobId, i), acceptedAt, JobCodec.parse(job.getBytes(StandardCharsets.UTF_8)),
        null, null, new TileTask.Work.Tile(new TileRect(i, i % ACROSS * TILE, i / ACROSS * TILE, TILE, TILE), null)))
        .toList();
  }

  /** The latest record of each worker on the workers topic (null: a tombstone). */
  private static Map<String, byte[]> statuses(WorkerStack stack) {
    Map<String, byte[]> latest = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
        stack.kafka.bootstrapServers()), new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(stack.topics.workers().name(), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      while (c.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          latest.put(r.key(), r.value());
        }
      }
    }
    return latest;
  }

  /** The client ids of this JVM's Kafka clients of {@code domain} that {@code which} accepts, sorted. */
  private static List<String> clientIds(String domain, Predicate<String> which) throws Exception {
    return ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName(domain + ":type=app-info,id=*"), null)
        .stream().map(n -> n.getKeyProperty("id")).filter(which).sorted().toList();
  }
}
