package dev.tilefarm.clients;

import dev.tilefarm.schemas.TopicAdmin;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creating the farm's topics at start-up, as every role does, in any order: the topics of {@link Topics#all()}
 * by {@link TopicAdmin}, and the uploads topic where an upload trigger runs.
 */
public final class TopicSetup {
  private static final long TIMEOUT_S = 30;

  private TopicSetup() {}

  /**
   * Creates the farm's missing topics through an admin client with these properties (see
   * {@link ClientProperties#ADMIN}), closed on return.
   *
   * @throws IllegalStateException naming the topics and the cause when the cluster refuses or does not answer
   */
  public static void ensure(Properties adminClient, Topics topics, TopicLayout layout) throws InterruptedException {
    try (Admin admin = Admin.create(adminClient)) {
      TopicAdmin.ensure(admin, topics, layout);
    }
  }

  /**
   * Creates the uploads topic ({@link Topics#uploads()}) with {@code partitions} and the broker's replication
   * factor, if it is missing.
   *
   * @return whether this call created it
   * @throws IllegalStateException naming the topic and the cause when the cluster refuses or does not answer
   */
  public static boolean ensureUploads(Admin admin, Topics topics, int partitions) throws InterruptedException {
    String name = topics.uploads().name();
    try {
      if (admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS).contains(name)) {
        return false;
      }
      admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty()))).all()
          .get(TIMEOUT_S, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      throw new IllegalStateException("creating the uploads topic " + name + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("creating the uploads topic " + name + ": the cluster did not answer", e);
    }
  }
}
