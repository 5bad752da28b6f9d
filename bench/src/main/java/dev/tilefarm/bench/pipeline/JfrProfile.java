package dev.tilefarm.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a process spent its CPU, from the JFR recordings it wrote: execution samples (Java threads running Java
 * code) counted by thread or by their top frame's method.
 */
final class JfrProfile {
  private JfrProfile() {
  }

  /**
   * The {@code top} threads (digits in their names folded to N, so pools count as one) or top-frame methods by
   * share of execution samples from {@code from} to {@code to}, as "42% name", over all {@code files}.
   */
  static List<String> top(List<Path> files, java.time.Instant from, java.time.Instant to, int top, boolean byThread)
      throws IOException {
    Map<String, Integer> counts = new HashMap<>();
    int total = 0;
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        continue;
      }
      for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
        if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue; // jdk.NativeMethodSample is a thread waiting in native code (epoll, accept), not using the CPU
        }
        if (e.getStartTime().isBefore(from) || e.getStartTime().isAfter(to)) {
          continue; // start-up and warm-up, or shutting down
        }
        RecordedStackTrace stack = e.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        total++;
        String key = byThread
            ? "thread " + threadName(e).replaceAll("[0-9]+", "N")
            : name(stack.getFrames().get(0));
        counts.merge(key, 1, Integer::sum);
      }
    }
    int all = total;
    if (all == 0) {
      return List.of();
    }
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .map(en -> String.format(Locale.ROOT, "%.0f%% %s", 100.0 * en.getValue() / all, en.getKey()))
        .collect(Collectors.toList());
  }

  private static String threadName(RecordedEvent e) {
    var t = e.getThread("sampledThread");
    String name = t == null ? null : t.getJavaName() != null ? t.getJavaName() : t.getOSName();
    return name == null ? "?" : name;
  }

  private static String name(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }
}
