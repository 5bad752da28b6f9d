package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class JvmCpuTest {
  /** Thread names seen in an embedded farm (Kafka 4.3, S3Proxy, the farm's roles), digits as they come. */
  @Test
  void theEmbeddedFarmsThreadsAreTheirRoles() {
    Map<String, String> seen = Map.ofEntries(
        Map.entry("data-plane-kafka-request-handler-3", "broker"),
        Map.entry("data-plane-kafka-network-thread-1-PLAINTEXT-PLAINTEXT-0", "broker"),
        Map.entry("kafka-1-raft-io-thread", "broker"),
        Map.entry("share-coordinator-event-processor-0", "broker"),
        Map.entry("group-coordinator-event-processor-1", "broker"),
        Map.entry("ExpirationReaper-1-ShareFetch", "broker"),
        Map.entry("quorum-controller-1-event-handler", "broker"),
        Map.entry("S3Proxy-Jetty-42", "S3 server"),
        Map.entry("tilefarm.tile-splitter-f3bc1-StreamThread-1", "splitter"),
        Map.entry("kafka-producer-network-thread | tilefarm.tile-splitter-f3bc1-StreamThread-1-producer", "splitter"),
        Map.entry("splitter-workers", "splitter"),
        Map.entry("tilefarm.compositor-9ad2-StateUpdater-1", "compositor"),
        Map.entry("compositor-png-filter-2", "compositor"),
        Map.entry("kafka-coordinator-heartbeat-thread | tilefarm.compositor-janitor", "compositor"),
        Map.entry("worker-1-0-render", JvmCpu.RENDER),
        Map.entry("worker-1-0-store", JvmCpu.WORKER),
        Map.entry("worker-1-0-poll-tilefarm.tile-tasks", JvmCpu.WORKER),
        Map.entry("kafka-producer-network-thread | worker-1-0-results", JvmCpu.WORKER),
        Map.entry("kafka-admin-client-thread | adminclient-3", JvmCpu.CLIENTS),
        Map.entry("consumer_background_thread", JvmCpu.CLIENTS),
        Map.entry("main", JvmCpu.OTHER),
        Map.entry("ForkJoinPool.commonPool-worker-1", JvmCpu.OTHER));
    seen.forEach((name, role) -> assertEquals(role, JvmCpu.role(name), name));
  }

  @Test
  void aThreadsCpuIsCountedUnderItsRole() throws Exception {
    JvmCpu before = JvmCpu.read();
    CountDownLatch spun = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread spin = new Thread(() -> {
      var threads = ManagementFactory.getThreadMXBean();
      long x = 0;
      while (threads.getCurrentThreadCpuTime() < 100_000_000L) {
        x += System.nanoTime() % 7;
      }
      spun.countDown();
      try {
        done.await(); // alive while it is read: an ended thread's CPU is only the JVM's
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (x == 42) {
        System.out.println(x); // keeps the loop from being dropped
      }
    }, "worker-test-render");
    spin.start();
    spun.await();
    JvmCpu.Span span = JvmCpu.read().since(before);
    done.countDown();
    spin.join();
    assertTrue(span.byRole().get(JvmCpu.RENDER) >= 100, span.toString());
    assertTrue(span.processMs() >= span.byRole().get(JvmCpu.RENDER), span.toString());
  }
}
