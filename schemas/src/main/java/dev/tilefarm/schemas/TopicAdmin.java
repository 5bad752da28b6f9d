package dev.tilefarm.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the farm's topics if they are missing; every role calls it at start-up, in any order. */
public final class TopicAdmin {
  private TopicAdmin() {}

  public static void ensure(Admin admin, Topics topics, TopicLayout layout) throws InterruptedException {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> t : topics.all()) {
        if (existing.contains(t.name())) {
          continue;
        }
        String base = t.name().substring(topics.prefix().length());
        int partitions = layout.partitionsOf(base);
        if (t == topics.jobControl()) {
          // Co-partitioned with the tile results, whatever layout created those.
          partitions = existing.contains(topics.tileResults().name())
              ? admin.describeTopics(List.of(topics.tileResults().name())).allTopicNames().get(30, TimeUnit.SECONDS)
                  .get(topics.tileResults().name()).partitions().size()
              : layout.partitionsOf(topics.tileResults().name().substring(topics.prefix().length()));
        }
        NewTopic nt = new NewTopic(t.name(), Optional.of(partitions),
            layout.replication() < 0 ? Optional.empty() : Optional.of(layout.replication()));
        if (t == topics.workers()) {
          // Only each worker's last heartbeat matters.
          partitions = 1;
          nt = new NewTopic(t.name(), Optional.of(partitions),
              layout.replication() < 0 ? Optional.empty() : Optional.of(layout.replication()));
          nt.configs(Map.of("cleanup.policy", "compact", "segment.ms", String.valueOf(TimeUnit.HOURS.toMillis(1))));
        }
        if (t == topics.deadLetter() || t == topics.jobEvents()) {
          nt.configs(Map.of("retention.ms", String.valueOf(TimeUnit.DAYS.toMillis(7))));
        }
        missing.add(nt);
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
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("creating the farm's topics " + topics.prefix() + "*: " + cause, cause);
    }
  }
}
