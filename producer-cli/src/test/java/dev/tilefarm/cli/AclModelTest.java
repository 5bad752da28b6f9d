package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.cli.AclModel.Grant;
import dev.tilefarm.cli.AclModel.Role;
import dev.tilefarm.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class AclModelTest {
  private static final Topics TOPICS = new Topics("tilefarm.");

  @Test
  void aClientWritesJobsAndReadsJobEventsOnly() {
    assertEquals(List.of("User:alice  WRITE  TOPIC tilefarm.jobs", "User:alice  READ  TOPIC tilefarm.job-events"),
        AclModel.grants(Role.CLIENT, "User:alice", TOPICS, null).stream().map(Grant::describe).toList());
  }

  @Test
  void aClientGroupPrefixAddsReadOnThoseGroups() {
    List<Grant> grants = AclModel.grants(Role.CLIENT, "User:alice", TOPICS, "dash-");
    assertEquals("User:alice  READ  GROUP dash-*", grants.get(grants.size() - 1).describe());
  }

  @Test
  void onlyTheRolesThatOwnATopicMayWriteIt() {
    Map<String, Set<Role>> writers = writers();
    assertEquals(Set.of(Role.SPLITTER, Role.COMPOSITOR), writers.get("tilefarm.job-events"));
    assertEquals(Set.of(Role.SPLITTER, Role.COMPOSITOR), writers.get("tilefarm.job-control"));
    assertEquals(Set.of(Role.WORKER), writers.get("tilefarm.tile-results"));
    assertEquals(Set.of(Role.SPLITTER, Role.COMPOSITOR), writers.get("tilefarm.tile-tasks"));
    assertEquals(Set.of(Role.SPLITTER), writers.get("tilefarm.tile-tasks.povray"));
    assertEquals(Set.of(Role.SPLITTER), writers.get("tilefarm.tile-tasks.blender"));
    assertEquals(Set.of(Role.WORKER), writers.get("tilefarm.workers"));
    assertEquals(Set.of(Role.CLIENT, Role.SPLITTER, Role.API, Role.UPLOAD_TRIGGER), writers.get("tilefarm.jobs"));
    assertEquals(Set.of(Role.SPLITTER, Role.COMPOSITOR, Role.WORKER, Role.UPLOAD_TRIGGER),
        writers.get("tilefarm.dead-letter"));
    assertEquals(Set.of(Role.UPLOAD_SOURCE), writers.get("tilefarm.uploads"));
  }

  @Test
  void theSplitterReadsTheResultsAndEndsThatMakeRoomForTasks() {
    List<String> grants = AclModel.grants(Role.SPLITTER, "User:s", TOPICS, null).stream().map(Grant::describe)
        .toList();
    assertTrue(grants.contains("User:s  READ  TOPIC tilefarm.tile-results"), grants.toString());
    assertTrue(grants.contains("User:s  READ  TOPIC tilefarm.job-control"), grants.toString());
  }

  @Test
  void theStreamsAppsOwnTheirInternalTopicsTransactionalIdsAndGroup() {
    Set<String> compositor = AclModel.grants(Role.COMPOSITOR, "User:c", TOPICS, null).stream()
        .filter(g -> g.resource().resourceType() != ResourceType.TOPIC
            || g.resource().patternType() == PatternType.PREFIXED)
        .map(Grant::describe).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(Set.of(
        "User:c  READ  GROUP tilefarm.compositor",
        "User:c  READ  GROUP tilefarm.compositor-janitor",
        "User:c  CREATE  TOPIC tilefarm.compositor-*",
        "User:c  READ  TOPIC tilefarm.compositor-*",
        "User:c  WRITE  TOPIC tilefarm.compositor-*",
        "User:c  DESCRIBE_CONFIGS  TOPIC tilefarm.compositor-*",
        "User:c  WRITE  TRANSACTIONAL_ID tilefarm.compositor-*")), compositor);
  }

  @Test
  void workersMayConfigureTheirShareGroupsAndNoOthers() {
    Set<String> groups = AclModel.grants(Role.WORKER, "User:w", TOPICS, null).stream()
        .filter(g -> g.resource().resourceType() == ResourceType.GROUP).map(Grant::describe)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(Set.of(
        "User:w  READ  GROUP tilefarm.render-workers", "User:w  ALTER_CONFIGS  GROUP tilefarm.render-workers",
        "User:w  READ  GROUP tilefarm.render-workers.povray",
        "User:w  ALTER_CONFIGS  GROUP tilefarm.render-workers.povray",
        "User:w  READ  GROUP tilefarm.render-workers.blender",
        "User:w  ALTER_CONFIGS  GROUP tilefarm.render-workers.blender",
        "User:w  READ  GROUP tilefarm.render-workers.ffmpeg",
        "User:w  ALTER_CONFIGS  GROUP tilefarm.render-workers.ffmpeg")), groups);
  }

  @Test
  void rolesThatCheckTheTopicsAtStartMayDescribeEveryFarmTopic() {
    for (Role role : List.of(Role.SPLITTER, Role.COMPOSITOR, Role.WORKER, Role.API)) {
      Set<String> seen = AclModel.grants(role, "User:r", TOPICS, null).stream()
          .filter(g -> g.resource().resourceType() == ResourceType.TOPIC
              && g.resource().patternType() == PatternType.LITERAL)
          .map(g -> g.resource().name()).collect(Collectors.toSet());
      assertEquals(Set.of("tilefarm.jobs", "tilefarm.job-events", "tilefarm.tile-tasks", "tilefarm.tile-results",
          "tilefarm.dead-letter", "tilefarm.job-control", "tilefarm.workers", "tilefarm.tile-tasks.povray",
          "tilefarm.tile-tasks.blender", "tilefarm.tile-tasks.ffmpeg"), seen, role.toString());
    }
  }

  @Test
  void kafkaAclsCommandsGroupTheOperationsOfOneResource() {
    List<Grant> grants = AclModel.grants(Role.COMPOSITOR, "User:c", TOPICS, null);
    List<String> commands = AclModel.kafkaAclsCommands(grants, "kafka:9092", "admin.properties");
    assertTrue(commands.contains("kafka-acls.sh --bootstrap-server kafka:9092 --command-config admin.properties"
        + " --add --allow-principal User:c --operation Create --operation Read --operation Write"
        + " --operation DescribeConfigs --topic tilefarm.compositor- --resource-pattern-type prefixed"), commands
        .toString());
    assertTrue(commands.contains("kafka-acls.sh --bootstrap-server kafka:9092 --command-config admin.properties"
        + " --add --allow-principal User:c --operation Write --transactional-id tilefarm.compositor-"
        + " --resource-pattern-type prefixed"), commands.toString());
    assertTrue(commands.contains("kafka-acls.sh --bootstrap-server kafka:9092 --command-config admin.properties"
        + " --add --allow-principal User:c --operation Read --operation Write --topic tilefarm.job-control"),
        commands.toString());
  }

  @Test
  void aPrincipalIsTypeColonName() {
    Main.UsageException e = assertThrows(Main.UsageException.class,
        () -> AclCommand.Principals.check("--principal-worker", "alice"));
    assertEquals("--principal-worker 'alice': a principal is TYPE:NAME, e.g. User:alice", e.getMessage());
    e = assertThrows(Main.UsageException.class, () -> AclCommand.Principals.check("--principal-api", "User:*"));
    assertTrue(e.getMessage().startsWith("--principal-api 'User:*': a wildcard"), e.getMessage());
  }

  @Test
  void dryRunPrintsTheAclsWithoutACluster() {
    Result r = run("acl", "apply", "--dry-run", "--principal-client", "User:alice", "--topic-prefix", "x.");
    assertEquals(0, r.code(), r.err());
    assertEquals("would create  client          User:alice  WRITE  TOPIC x.jobs\n"
        + "would create  client          User:alice  READ  TOPIC x.job-events\n", r.out());
  }

  @Test
  void printWritesKafkaAclsCommands() {
    Result r = run("acl", "print", "--principal-client", "User:alice", "--bootstrap-server", "kafka:9093",
        "--command-config", "/etc/kafka/admin.properties");
    assertEquals(0, r.code(), r.err());
    assertEquals("# tilefarm's ACLs (topic prefix 'tilefarm.'). The topics must exist first: 'tilefarm acl apply' "
        + "creates them, or start each role once as a super user.\n"
        + "kafka-acls.sh --bootstrap-server kafka:9093 --command-config /etc/kafka/admin.properties --add "
        + "--allow-principal User:alice --operation Write --topic tilefarm.jobs\n"
        + "kafka-acls.sh --bootstrap-server kafka:9093 --command-config /etc/kafka/admin.properties --add "
        + "--allow-principal User:alice --operation Read --topic tilefarm.job-events\n", r.out());
  }

  @Test
  void aclAloneAsksForASubcommand() {
    Result r = run("acl");
    assertEquals(Main.ExitCodes.USAGE, r.code());
    assertTrue(r.err().contains("acl needs a subcommand: apply or print"), r.err());
  }

  @Test
  void noPrincipalIsAUsageError() {
    Result r = run("acl", "print");
    assertEquals(Main.ExitCodes.USAGE, r.code());
    assertTrue(r.err().contains("name at least one principal"), r.err());
  }

  @Test
  void applyWithoutAClusterSaysWhatItNeeds() {
    Result r = run("acl", "apply", "--principal-client", "User:alice", "--data-dir", "/nonexistent-tilefarm");
    assertEquals(Main.ExitCodes.CONFIG, r.code());
    assertTrue(r.err().contains("acl apply needs a cluster"), r.err());
  }

  private static Map<String, Set<Role>> writers() {
    Map<Role, List<String>> all = new EnumMap<>(Role.class);
    for (Role role : Role.values()) {
      all.put(role, List.of("User:" + role.name));
    }
    return AclModel.grants(TOPICS, all, "g-").stream()
        .filter(g -> g.operation() == AclOperation.WRITE && g.resource().resourceType() == ResourceType.TOPIC
            && g.resource().patternType() == PatternType.LITERAL)
        .collect(Collectors.groupingBy(g -> g.resource().name(), Collectors.mapping(Grant::role, Collectors.toSet())));
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try (PrintStream co = new PrintStream(o, true, StandardCharsets.UTF_8);
        PrintStream ce = new PrintStream(e, true, StandardCharsets.UTF_8)) {
      System.setOut(co);
      System.setErr(ce);
      code = Main.commandLine().execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }
}
