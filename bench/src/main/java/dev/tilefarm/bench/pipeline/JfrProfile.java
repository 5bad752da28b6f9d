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
 * code) counted by their top frame's method.
 */
final class JfrProfile {
  private JfrProfile() {
  }

  /** The {@code top} methods by share of execution samples, as "42% Class.method", over all {@code files}. */
  static List<String> topMethods(List<Path> files, int top) throws IOException {
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
        RecordedStackTrace stack = e.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        total++;
        counts.merge(name(stack.getFrames().get(0)), 1, Integer::sum);
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

  private static String name(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }
}
