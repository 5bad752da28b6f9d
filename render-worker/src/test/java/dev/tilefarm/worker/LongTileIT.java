package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tile that takes longer than the share group's record lock stays with the worker making it: the worker's
 * renewals keep its claim, so the tile is made once and never handed to another member of the group, which polls
 * the one task partition the whole time. The lock is the broker's shortest (15 s); the tile is a Mandelbrot
 * tile deep in a minibrot (every pixel runs all its iterations), sized from a measurement on this machine to take
 * about three locks.
 */
class LongTileIT {
  private static final Duration LOCK = Duration.ofSeconds(15);
  /** Deep in the period-3 minibrot: every pixel of the tile is inside the set. */
  private static final String MINIBROT = "{\"center\":[-1.7548776662,0],\"zoom\":3000,\"iterations\":1000000}";

  @TempDir
  Path dir;

  @Test
  void aTileLongerThanTheLockIsMadeOnceByTheWorkerThatTookIt() throws Exception {
    int side = sideTaking(LOCK.multipliedBy(3));
    try (WorkerStack stack = new WorkerStack(dir);
        RenderWorker holder = RenderWorker.start(stack.config("holder", LOCK, Duration.ofMinutes(2)), stack.blobs)) {
      // A quick tile first, so that the worker has joined the group and the task partition is initialised.
      stack.publish(WorkerStack.mandelbrotTask("warm-up", 16, "{}"));
      assertNotNull(stack.awaitDone("warm-up", Duration.ofMinutes(2)), "the warm-up tile was not made");

      try (KafkaShareConsumer<String, byte[]> other = competitor(stack)) {
        TileTask task = WorkerStack.mandelbrotTask("long", side, MINIBROT);
        stack.publish(task);
        // The worker, polling all along, takes the task; the competitor joins the group only with its first poll.
        Thread.sleep(2000);
        // Until the competitor has seen nothing for 3 s: the worker holds the task. Should the competitor get it
        // first, it releases it and pauses, so that the worker takes it (each release is a delivery, so only twice).
        int released = 0;
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
          for (ConsumerRecord<String, byte[]> r : other.poll(Duration.ofMillis(300))) {
            other.acknowledge(r, AcknowledgeType.RELEASE);
            other.commitSync();
            assertTrue(++released <= 2, "the worker did not take the long tile");
            Thread.sleep(2000);
            quietSince = System.nanoTime();
          }
        }
        long heldFrom = System.nanoTime();
        TileResult.Done done = null;
        long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (done == null && System.nanoTime() < until) {
          for (ConsumerRecord<String, byte[]> r : other.poll(Duration.ofMillis(200))) {
            fail("the long tile was handed to another member of the group after "
                + Duration.ofNanos(System.nanoTime() - heldFrom).toSeconds() + " s (delivery " + r.deliveryCount()
                + "): its lock ran out");
          }
          List<TileResult.Done> dones = stack.done("long", Duration.ofMillis(10));
          done = dones.isEmpty() ? null : dones.get(0);
        }
        assertNotNull(done, "the long tile was not done within 5 minutes");
        assertTrue(System.nanoTime() - heldFrom > LOCK.toNanos() && done.renderMs() > LOCK.toMillis(),
            "the tile took " + done.renderMs() + " ms to make: it did not outlive its " + LOCK.toMillis() + " ms lock");
        for (int i = 0; i < 10; i++) {
          assertTrue(other.poll(Duration.ofMillis(300)).isEmpty(), "the long tile was delivered again once done");
        }
        assertEquals(1, stack.done("long", Duration.ofSeconds(1)).size(), "the long tile was made more than once");
        assertEquals("holder", done.worker());
        assertEquals(2, holder.tilesDone());
        byte[] stored = stack.blobs.get(task.tileUri());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)), done.sha256());
      }
    }
  }

  /** A second member of the worker's share group, taking one task at a time. */
  private static KafkaShareConsumer<String, byte[]> competitor(WorkerStack stack) {
    Properties p = new Properties();
    p.put("bootstrap.servers", stack.kafka.bootstrapServers());
    p.put("group.id", stack.topics.taskGroup(stack.topics.tileTasks().name()));
    p.put("client.id", "competitor");
    p.put("share.acknowledgement.mode", "explicit");
    p.put("share.acquire.mode", "record_limit");
    p.put("max.poll.records", "1");
    KafkaShareConsumer<String, byte[]> c = new KafkaShareConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer());
    c.subscribe(List.of(stack.topics.tileTasks().name()));
    return c;
  }

  /**
   * The side of a square minibrot tile that takes about {@code target} to make on this machine now, from the time
   * a 24 x 24 one takes (after one to warm up the JIT).
   */
  private static int sideTaking(Duration target) throws Exception {
    TileMaker maker = new TileMaker(uri -> {
      throw new IllegalStateException("a Mandelbrot tile reads nothing");
    }, 0);
    int probe = 24;
    JobRequest job = JobCodec.decode(WorkerStack.mandelbrotTask("probe", probe, MINIBROT).job(), "probe");
    maker.make(job, new dev.tilefarm.schemas.TileRect(0, 0, 0, probe, probe), probe, probe);
    long start = System.nanoTime();
    maker.make(job, new dev.tilefarm.schemas.TileRect(0, 0, 0, probe, probe), probe, probe);
    double nanosPerPixel = (double) (System.nanoTime() - start) / (probe * probe);
    return (int) Math.max(probe, Math.ceil(Math.sqrt(target.toNanos() / nanosPerPixel)));
  }
}
