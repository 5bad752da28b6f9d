package dev.tilefarm.bench.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where this JVM's CPU goes, by the farm's role each thread belongs to, for the farms the bench embeds (broker, S3
 * server, splitter, compositor and workers all in this JVM): a reading of every live thread's CPU time, of the
 * process's, and of the machine's ({@link MachineCpu}). The difference of two readings is a {@link Span}.
 */
final class JvmCpu {
  static final String RENDER = "render threads";
  static final String WORKER = "worker (outside the renderer)";
  static final String BROKER = "broker";
  static final String S3 = "S3 server";
  static final String CLIENTS = "Kafka clients (unattributed)";
  static final String OTHER = "other threads";
  /** What the process used that no live thread holds: garbage collection, the JIT, threads that ended. */
  static final String JVM = "JVM (GC, JIT, ended threads)";
  /** How the broker's threads (Kafka 4.x, KRaft) begin their names. */
  private static final List<String> BROKER_THREADS = List.of("data-plane-kafka", "kafka-", "broker-", "controller-",
      "quorum-controller", "ExpirationReaper", "group-coordinator", "share-coordinator", "share-group", "executor-",
      "raft-", "transaction-", "TxnMarkerSender", "AddPartitionsToTxn", "LogDirFailureHandler", "PersisterStateManager",
      "persister-", "client-metrics-reaper", "network-partition-metadata", "metrics-meter-tick");

  private final long nanoTime = System.nanoTime();
  private final MachineCpu machine = MachineCpu.read();
  private final long processNanos;
  private final Map<Long, Long> threadNanos = new HashMap<>();
  private final Map<Long, String> threadNames = new HashMap<>();

  private JvmCpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      long cpu = info == null ? -1 : threads.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) {
        threadNanos.put(info.getThreadId(), cpu);
        threadNames.put(info.getThreadId(), info.getThreadName());
      }
    }
    processNanos = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  /** Now. */
  static JvmCpu read() {
    return new JvmCpu();
  }

  /** What this JVM and the machine used from {@code before} to this reading. */
  Span since(JvmCpu before) {
    Map<String, Double> byRole = new LinkedHashMap<>();
    double threads = 0;
    for (Map.Entry<Long, Long> e : threadNanos.entrySet()) {
      double ms = (e.getValue() - before.threadNanos.getOrDefault(e.getKey(), 0L)) / 1e6;
      byRole.merge(role(threadNames.get(e.getKey())), ms, Double::sum);
      threads += ms;
    }
    // The process's CPU time comes in clock ticks (10 ms), its threads' in nanoseconds: it may read a little below
    // their sum.
    double processMs = processNanos < 0 || before.processNanos < 0 ? threads
        : Math.max(threads, (processNanos - before.processNanos) / 1e6);
    byRole.put(JVM, processMs - threads);
    return new Span((nanoTime - before.nanoTime) / 1e6, machine.busySince(before.machine), processMs, byRole);
  }

  /**
   * The role a thread of an embedded farm works for, from its name: a Kafka client's thread by its client id (after
   * " | "), the workers' by their id ({@code worker-…}, the render pool {@code …-render}), the Streams roles' by their
   * application id, S3Proxy's Jetty pool, and the broker's by its thread names.
   */
  static String role(String threadName) {
    int bar = threadName.indexOf(" | ");
    String name = bar >= 0 ? threadName.substring(bar + 3) : threadName;
    if (name.endsWith("-render")) {
      return RENDER;
    }
    if (name.contains("splitter")) {
      return "splitter";
    }
    if (name.contains("compositor")) {
      return "compositor";
    }
    if (name.startsWith("worker")) {
      return WORKER;
    }
    if (name.startsWith("S3Proxy")) {
      return S3;
    }
    if (bar >= 0 || name.startsWith("consumer_background_thread")) {
      return CLIENTS;
    }
    return BROKER_THREADS.stream().anyMatch(name::startsWith) ? BROKER : OTHER;
  }

  /**
   * This JVM's and the machine's CPU over a span of wall time.
   *
   * @param machineBusy the share of the machine's CPU time that was busy, whoever used it (NaN off Linux)
   * @param processMs this JVM's CPU time
   * @param byRole {@code processMs} by role ({@link #role}), {@link #JVM} holding what no live thread did
   */
  record Span(double wallMs, double machineBusy, double processMs, Map<String, Double> byRole) {
    Span {
      byRole = Map.copyOf(byRole);
    }

    /** This JVM's share of the machine's {@code cores} over the span, 0 to 1. */
    double busy(int cores) {
      return processMs / (wallMs * cores);
    }

    /** The CPU of every role but the render threads. */
    double besideRenderMs() {
      return processMs - byRole.getOrDefault(RENDER, 0.0);
    }
  }
}
