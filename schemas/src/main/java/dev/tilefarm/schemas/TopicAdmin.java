package dev.tilefarm.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the farm's topics if they are missing; safe to call from every role at every start. */
public final class TopicAdmin {
  private TopicAdmin() {}

  /**
   * Ensures every topic of {@code topics} exists. {@code partitions} maps a topic's full name to its
   * partition count; topics not in the map get {@code defaultPartitions}.
   */
  public static void ensure(Admin admin, Topics topics, int defaultPartitions, Map<String, Integer> partitions,
      short replication) throws InterruptedException {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> t : topics.all()) {
        if (!existing.contains(t.name())) {
          NewTopic nt = new NewTopic(t.name(), partitions.getOrDefault(t.name(), defaultPartitions), replication);
          if (t == topics.deadLetter() || t == topics.jobEvents()) {
            nt.configs(Map.of("retention.ms", String.valueOf(TimeUnit.DAYS.toMillis(7))));
          }
          missing.add(nt);
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      for (var f : admin.createTopics(missing).values().values()) {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("creating the farm's topics on " + topics.prefix() + "*: " + e.getMessage(), e);
    }
  }
}
