package dev.tilefarm.cli;

import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.Topic;
import dev.tilefarm.schemas.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The farm's authorization model on Kafka: which principal of which role may do what to which topic, group and
 * transactional id. Everything is ALLOW on any host; what is not granted is refused by a broker whose authorizer
 * has {@code allow.everyone.if.no.acl.found=false}. Read and Write imply Describe, and AlterConfigs implies
 * DescribeConfigs, so those are not granted again.
 *
 * <p>Every role except the clients and the upload roles checks at start-up that all the farm's topics exist
 * (creating missing ones), so it may Describe all of them; topics are created by the operator
 * ({@code tilefarm acl apply} does it). The Kafka Streams apps (splitter, compositor) own the topics and
 * transactional ids under their application id and its consumer group. The README's "Authorization on Kafka"
 * table is this class in prose.
 */
final class AclModel {
  private AclModel() {}

  /** A kind of principal, with the option that names its principals. */
  enum Role {
    CLIENT("client"), SPLITTER("splitter"), COMPOSITOR("compositor"), WORKER("worker"), API("api"),
    UPLOAD_TRIGGER("upload-trigger"), UPLOAD_SOURCE("upload-source");

    final String name;

    Role(String name) {
      this.name = name;
    }

    String option() {
      return "--principal-" + name;
    }
  }

  /** One ACL of the model: {@code principal}, in {@code role}, may do {@code operation} on {@code resource}. */
  record Grant(Role role, String principal, ResourcePattern resource, AclOperation operation) {
    AclBinding binding() {
      return new AclBinding(resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    /** E.g. {@code User:alice  WRITE  TOPIC tilefarm.jobs}, {@code ... TRANSACTIONAL_ID tilefarm.compositor-*}. */
    String describe() {
      return principal + "  " + operation + "  " + resource.resourceType() + " " + resource.name()
          + (resource.patternType() == PatternType.PREFIXED ? "*" : "");
    }
  }

  /** The application ids (consumer groups) of the Kafka Streams roles and the groups of the others. */
  static final String SPLITTER_APP = "tile-splitter";
  static final String COMPOSITOR_APP = "compositor";
  static final String JANITOR_GROUP = "compositor-janitor";
  static final String TRIGGER_GROUP = "upload-trigger";

  /**
   * Every grant for these principals, role by role in {@link Role} order.
   *
   * @param clientGroupPrefix if not null, clients may also use consumer groups whose names start with it (for
   *     clients that follow job-events in a group, such as {@code kafka-console-consumer.sh})
   */
  static List<Grant> grants(Topics topics, Map<Role, List<String>> principals, String clientGroupPrefix) {
    List<Grant> out = new ArrayList<>();
    for (Role role : Role.values()) {
      for (String principal : principals.getOrDefault(role, List.of())) {
        out.addAll(grants(role, principal, topics, clientGroupPrefix));
      }
    }
    return out;
  }

  /** The grants of one principal in one role. */
  static List<Grant> grants(Role role, String principal, Topics t, String clientGroupPrefix) {
    Grants g = new Grants(role, principal, t);
    switch (role) {
      case CLIENT -> {
        g.topics(AclOperation.WRITE, t.jobs());
        g.topics(AclOperation.READ, t.jobEvents());
        if (clientGroupPrefix != null) {
          g.add(ResourceType.GROUP, clientGroupPrefix, PatternType.PREFIXED, AclOperation.READ);
        }
      }
      case SPLITTER -> {
        g.topics(AclOperation.READ, t.jobs(), t.workers());
        // Tile results settle released tasks (room in a lane) and job control's ENDED lets a job go (Dispatcher).
        g.topics(AclOperation.READ, t.tileResults(), t.jobControl());
        // jobs too: a job for a renderer no worker has yet goes back to the jobs topic to wait.
        g.topics(AclOperation.WRITE, t.jobs(), t.jobEvents(), t.jobControl(), t.deadLetter());
        g.topics(AclOperation.WRITE, t.allTileTasks());
        g.describeTheRest();
        g.streamsApp(t.groupId(SPLITTER_APP));
      }
      case COMPOSITOR -> {
        // job-control: plans and cancels in, the ENDED of every job out (for the workers and the janitor, which
        // act on it rather than on job events anyone could forge).
        g.topics(AclOperation.READ, t.tileResults(), t.jobControl());
        // tile-tasks: the next pass of a process job with whole-image ops; tile-tasks.ffmpeg: an animation's video.
        g.topics(AclOperation.WRITE, t.jobEvents(), t.tileTasks(), t.tileTasksFor(Renderer.FFMPEG.id()), t.jobControl(),
            t.deadLetter());
        g.describeTheRest();
        g.streamsApp(t.groupId(COMPOSITOR_APP));
        g.add(ResourceType.GROUP, t.groupId(JANITOR_GROUP), PatternType.LITERAL, AclOperation.READ);
      }
      case WORKER -> {
        g.topics(AclOperation.READ, t.allTileTasks());
        // job-control, not job-events: workers stop a job's tiles only on the farm's own CANCEL and ENDED records.
        g.topics(AclOperation.READ, t.jobControl());
        g.topics(AclOperation.WRITE, t.tileResults(), t.workers(), t.deadLetter());
        g.describeTheRest();
        for (Topic<?, ?> tasks : t.allTileTasks()) {
          String group = t.taskGroup(tasks.name());
          // AlterConfigs: each worker sets its share group's lock duration, offset reset and isolation level.
          g.add(ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ);
          g.add(ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.ALTER_CONFIGS);
        }
      }
      case API -> {
        g.topics(AclOperation.READ, t.jobs(), t.jobEvents(), t.tileResults(), t.deadLetter(), t.workers());
        g.topics(AclOperation.WRITE, t.jobs());
        g.describeTheRest();
        // The backlog of each role's group.
        for (Topic<?, ?> tasks : t.allTileTasks()) {
          g.add(ResourceType.GROUP, t.taskGroup(tasks.name()), PatternType.LITERAL, AclOperation.DESCRIBE);
        }
        g.add(ResourceType.GROUP, t.groupId(SPLITTER_APP), PatternType.LITERAL, AclOperation.DESCRIBE);
        g.add(ResourceType.GROUP, t.groupId(COMPOSITOR_APP), PatternType.LITERAL, AclOperation.DESCRIBE);
      }
      case UPLOAD_TRIGGER -> {
        g.add(ResourceType.TOPIC, t.uploads().name(), PatternType.LITERAL, AclOperation.READ);
        g.topics(AclOperation.WRITE, t.jobs(), t.deadLetter());
        g.add(ResourceType.GROUP, t.groupId(TRIGGER_GROUP), PatternType.LITERAL, AclOperation.READ);
      }
      case UPLOAD_SOURCE -> g.add(ResourceType.TOPIC, t.uploads().name(), PatternType.LITERAL, AclOperation.WRITE);
      default -> throw new IllegalArgumentException(role.toString());
    }
    return g.out;
  }

  /**
   * The model as {@code kafka-acls.sh} commands, one per principal and resource (with all its operations).
   *
   * @param bootstrap the cluster, as given to {@code --bootstrap-server}
   * @param commandConfig the client properties file of a principal that may create ACLs
   */
  static List<String> kafkaAclsCommands(List<Grant> grants, String bootstrap, String commandConfig) {
    Map<String, Set<AclOperation>> byResource = new LinkedHashMap<>();
    Map<String, Grant> first = new LinkedHashMap<>();
    for (Grant g : grants) {
      String key = g.principal() + "\u0000" + g.resource();
      byResource.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(g.operation());
      first.putIfAbsent(key, g);
    }
    List<String> out = new ArrayList<>();
    byResource.forEach((key, operations) -> {
      Grant g = first.get(key);
      StringBuilder b = new StringBuilder("kafka-acls.sh --bootstrap-server ").append(shellWord(bootstrap))
          .append(" --command-config ").append(shellWord(commandConfig))
          .append(" --add --allow-principal ").append(shellWord(g.principal()));
      for (AclOperation op : operations) {
        b.append(" --operation ").append(camel(op));
      }
      ResourcePattern r = g.resource();
      switch (r.resourceType()) {
        case TOPIC -> b.append(" --topic ");
        case GROUP -> b.append(" --group ");
        case TRANSACTIONAL_ID -> b.append(" --transactional-id ");
        default -> throw new IllegalArgumentException("no kafka-acls.sh flag for " + r.resourceType());
      }
      b.append(shellWord(r.name()));
      if (r.patternType() == PatternType.PREFIXED) {
        b.append(" --resource-pattern-type prefixed");
      }
      out.add(b.toString());
    });
    return out;
  }

  /** {@code DESCRIBE_CONFIGS} as kafka-acls.sh spells it: {@code DescribeConfigs}. */
  static String camel(AclOperation op) {
    StringBuilder b = new StringBuilder();
    for (String part : op.name().split("_")) {
      b.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return b.toString();
  }

  private static String shellWord(String s) {
    return s.matches("[A-Za-z0-9._:=/@+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }

  /** Collects one principal's grants, without duplicates. */
  private static final class Grants {
    final Role role;
    final String principal;
    final Topics topics;
    final List<Grant> out = new ArrayList<>();
    final Set<String> touched = new LinkedHashSet<>();

    Grants(Role role, String principal, Topics topics) {
      this.role = role;
      this.principal = principal;
      this.topics = topics;
    }

    void topics(AclOperation op, Topic<?, ?>... ts) {
      topics(op, List.of(ts));
    }

    void topics(AclOperation op, List<? extends Topic<?, ?>> ts) {
      for (Topic<?, ?> t : ts) {
        add(ResourceType.TOPIC, t.name(), PatternType.LITERAL, op);
      }
    }

    void add(ResourceType type, String name, PatternType pattern, AclOperation op) {
      Grant g = new Grant(role, principal, new ResourcePattern(type, name, pattern), op);
      if (!out.contains(g)) {
        out.add(g);
      }
      if (type == ResourceType.TOPIC) {
        touched.add(name);
      }
    }

    /** Describe on every farm topic not yet read or written: the start-up check that the topics exist. */
    void describeTheRest() {
      for (Topic<?, ?> t : topics.all()) {
        if (!touched.contains(t.name())) {
          add(ResourceType.TOPIC, t.name(), PatternType.LITERAL, AclOperation.DESCRIBE);
        }
      }
    }

    /**
     * A Kafka Streams app with exactly-once: its consumer group (the application id), its internal topics
     * (changelogs, named {@code APP-...}, which it creates) and its producers' transactional ids
     * ({@code APP-PROCESS-THREAD}).
     */
    void streamsApp(String app) {
      add(ResourceType.GROUP, app, PatternType.LITERAL, AclOperation.READ);
      for (AclOperation op : List.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE,
          AclOperation.DESCRIBE_CONFIGS)) {
        add(ResourceType.TOPIC, app + "-", PatternType.PREFIXED, op);
      }
      add(ResourceType.TRANSACTIONAL_ID, app + "-", PatternType.PREFIXED, AclOperation.WRITE);
    }
  }
}
