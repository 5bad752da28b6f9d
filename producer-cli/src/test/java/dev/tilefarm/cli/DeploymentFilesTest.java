package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The deployment files as far as they can be checked without Docker or a cluster: the compose file
 * against the Compose Specification's JSON Schema (vendored), the Kubernetes manifests structurally
 * (no Kubernetes JSON Schema package is reachable here), and every setting and command in them against
 * the CLI's own tables, so a renamed key or command breaks the build, not a deployment.
 */
class DeploymentFilesTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final ObjectMapper JSON = new ObjectMapper();
  /** Read by logback or the launcher rather than by Settings. */
  static final Set<String> NON_SETTINGS = Set.of("TILEFARM_CONFIG", "TILEFARM_LOG_DIR", "TILEFARM_LOG_FORMAT",
      "TILEFARM_CONSOLE_LEVEL", "TILEFARM_JAVA_OPTS", "TILEFARM_DATA_DIR");

  @Test
  void composeFileIsValidAgainstTheComposeSpecification() throws IOException {
    JsonNode compose = compose();
    ObjectNode spec = (ObjectNode) new ObjectMapper().readTree(
        DeploymentFilesTest.class.getResourceAsStream("/vendored-schemas/compose-spec.schema.json"));
    // The spec declares draft 2019-09 but still names its parts with draft 4's "id", which 2019-09 refuses.
    dropDraft4Ids(spec);
    var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909).getSchema(spec);
    Set<ValidationMessage> errors = schema.validate(compose);
    assertTrue(errors.isEmpty(), "docker/compose.yaml: " + errors);
  }

  @Test
  void composeRunsEveryRoleWithOneConfigurationAndWiresUploadsToKafka() throws IOException {
    JsonNode services = compose().get("services");
    for (String role : List.of("splitter", "worker", "compositor", "api", "triggers")) {
      JsonNode s = services.get(role);
      assertNotNull(s, "service " + role);
      assertEquals("tilefarm:latest", s.get("image").asText(), role);
      assertEquals(role, s.get("command").get(0).asText(), role);
      checkEnv(role, s.get("environment"));
      assertEquals("kafka:9092", s.get("environment").get("TILEFARM_BOOTSTRAP_SERVERS").asText());
    }
    assertEquals(2, services.at("/worker/deploy/replicas").asInt(), "workers scale (--scale worker=N)");
    assertFalse(services.get("worker").has("ports"), "a fixed host port would stop workers from scaling");
    JsonNode minio = services.get("minio").get("environment");
    assertEquals("tilefarm.uploads", minio.get("MINIO_NOTIFY_KAFKA_TOPIC_UPLOADS").asText());
    assertEquals("kafka:9092", minio.get("MINIO_NOTIFY_KAFKA_BROKERS_UPLOADS").asText());
    String setup = services.at("/minio-setup/command/0").asText();
    assertTrue(setup.contains("mc event add farm/tilefarm arn:minio:sqs::UPLOADS:kafka --event put"), setup);
    assertTrue(services.at("/kafka/environment/KAFKA_PROCESS_ROLES").asText().contains("controller"), "KRaft");
    // Grafana's dashboard and provisioning are mounted from files that exist.
    for (JsonNode v : services.at("/grafana/volumes")) {
      Path file = ROOT.resolve("docker").resolve(v.asText().split(":")[0]).normalize();
      assertTrue(Files.exists(file), "mounted into grafana: " + file);
    }
    assertTrue(Files.exists(ROOT.resolve("docker").resolve(services.at("/api/build/dockerfile").asText()
        .replace("docker/", ""))), "the image's Dockerfile");
  }

  @Test
  void kubernetesManifestsAreWellFormedAndConsistent() throws IOException {
    Path dir = ROOT.resolve("deploy/k8s");
    JsonNode kustomization = readAll(dir.resolve("kustomization.yaml")).get(0);
    Map<String, JsonNode> byName = new HashMap<>();
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode file : kustomization.get("resources")) {
      for (JsonNode doc : readAll(dir.resolve(file.asText()))) {
        for (String field : List.of("apiVersion", "kind", "metadata")) {
          assertTrue(doc.hasNonNull(field), file + ": " + field);
        }
        assertTrue(doc.at("/metadata/name").asText().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), "DNS-1123 name");
        byName.put(doc.get("kind").asText() + "/" + doc.at("/metadata/name").asText(), doc);
        all.add(doc);
      }
    }
    for (JsonNode doc : all) {
      if (!doc.get("kind").asText().equals("Namespace")) {
        assertEquals("tilefarm", doc.at("/metadata/namespace").asText(), doc.at("/metadata/name").asText());
      }
    }
    // The upload rules shipped with the manifests are rules the trigger accepts.
    assertEquals(1, dev.tilefarm.trigger.UploadTrigger.checkRules(byName.get("ConfigMap/tilefarm-upload-rules")
        .at("/data/upload-rules.json").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    for (String role : List.of("splitter", "worker", "compositor", "api", "triggers")) {
      // The Kafka Streams roles keep state: a StatefulSet gives each instance a volume of its own.
      String workload = STATEFUL.contains(role) ? "StatefulSet/" : "Deployment/";
      JsonNode d = byName.get(workload + "tilefarm-" + role);
      assertNotNull(d, workload + " of " + role);
      assertEquals("apps/v1", d.get("apiVersion").asText());
      assertEquals(d.at("/spec/selector/matchLabels"), d.at("/spec/template/metadata/labels"), role + " selector");
      JsonNode c = d.at("/spec/template/spec/containers/0");
      assertEquals(role, c.at("/args/0").asText());
      checkCommand(role);
      Set<String> sources = new HashSet<>();
      for (JsonNode from : c.get("envFrom")) {
        String kind = from.has("configMapRef") ? "ConfigMap/" : "Secret/";
        String name = from.path("configMapRef").path("name").asText(from.path("secretRef").path("name").asText());
        assertNotNull(byName.get(kind + name), role + " reads " + kind + name);
        sources.add(kind + name);
      }
      assertEquals(Set.of("ConfigMap/tilefarm-config", "Secret/tilefarm-secrets"), sources, "one config for all");
      int port = c.at("/ports/0/containerPort").asInt();
      assertEquals(String.valueOf(port), d.at("/spec/template/metadata/annotations/prometheus.io~1port").asText());
    }
    checkFailover(byName);
    checkEnv("ConfigMap", byName.get("ConfigMap/tilefarm-config").get("data"));
    checkEnv("Secret", byName.get("Secret/tilefarm-secrets").get("stringData"));
    JsonNode service = byName.get("Service/tilefarm-api");
    assertEquals(byName.get("Deployment/tilefarm-api").at("/spec/template/metadata/labels"),
        service.at("/spec/selector"));

    // KEDA scales the worker Deployment on the backlog gauge the HTTP API publishes for the share group.
    JsonNode so = byName.get("ScaledObject/tilefarm-worker");
    assertEquals("keda.sh/v1alpha1", so.get("apiVersion").asText());
    assertNotNull(byName.get("Deployment/" + so.at("/spec/scaleTargetRef/name").asText()));
    assertEquals("tilefarm-worker", so.at("/spec/scaleTargetRef/name").asText());
    assertTrue(so.at("/spec/minReplicaCount").asInt() >= 1);
    assertTrue(so.at("/spec/maxReplicaCount").asInt() > so.at("/spec/minReplicaCount").asInt());
    JsonNode trigger = so.at("/spec/triggers/0");
    assertEquals("prometheus", trigger.get("type").asText());
    String query = trigger.at("/metadata/query").asText();
    dev.tilefarm.schemas.Topics topics = new dev.tilefarm.schemas.Topics(dev.tilefarm.schemas.Topics.DEFAULT_PREFIX);
    assertTrue(query.contains("tilefarm_backlog_records"), query);
    assertTrue(query.contains("group=\"" + topics.groupId("render-workers") + "\""), query);
    assertTrue(query.contains("topic=\"" + topics.tileTasks().name() + "\""), query);
    Integer.parseInt(trigger.at("/metadata/threshold").asText());
  }

  /** The roles with Kafka Streams state, run as StatefulSets. */
  static final Set<String> STATEFUL = Set.of("splitter", "compositor");

  /**
   * What fail-over needs of the manifests (README, "Fail-over"): two instances of each Kafka Streams role (each
   * holds a standby of the other's tasks), each with its state on a volume of its own at the image's data
   * directory; a disruption budget for every role with more than one pod, so a drain never takes them all;
   * grace periods that let a worker finish its tiles (worker.shutdown-grace-ms) and a Streams role commit and
   * leave its group (30 s).
   */
  private static void checkFailover(Map<String, JsonNode> byName) throws IOException {
    Matcher env = Pattern.compile("(?m)^ENV .*TILEFARM_DATA_DIR=(\\S+)")
        .matcher(Files.readString(ROOT.resolve("docker/Dockerfile")));
    assertTrue(env.find(), "docker/Dockerfile sets TILEFARM_DATA_DIR");
    String dataDir = env.group(1);
    for (String role : STATEFUL) {
      JsonNode set = byName.get("StatefulSet/tilefarm-" + role);
      assertTrue(set.at("/spec/replicas").asInt() >= 2, role + ": two instances, each the other's standby");
      JsonNode service = byName.get("Service/" + set.at("/spec/serviceName").asText());
      assertNotNull(service, role + ": the StatefulSet's governing Service");
      assertEquals("None", service.at("/spec/clusterIP").asText(), role + ": a headless Service");
      assertEquals(set.at("/spec/template/metadata/labels"), service.at("/spec/selector"), role);
      String claim = set.at("/spec/volumeClaimTemplates/0/metadata/name").asText();
      assertFalse(claim.isEmpty(), role + ": a volume claim template");
      boolean mounted = false;
      for (JsonNode m : set.at("/spec/template/spec/containers/0/volumeMounts")) {
        mounted |= m.get("name").asText().equals(claim) && m.get("mountPath").asText().equals(dataDir);
      }
      assertTrue(mounted, role + ": its volume is mounted at the data directory " + dataDir);
      assertTrue(set.at("/spec/template/spec/terminationGracePeriodSeconds").asInt() >= 30,
          role + ": time to commit and leave its group");
    }
    for (JsonNode doc : byName.values()) {
      String kind = doc.get("kind").asText();
      if ((kind.equals("Deployment") || kind.equals("StatefulSet")) && doc.at("/spec/replicas").asInt(1) > 1) {
        String name = doc.at("/metadata/name").asText();
        JsonNode pdb = byName.get("PodDisruptionBudget/" + name);
        assertNotNull(pdb, name + ": a PodDisruptionBudget");
        assertEquals("policy/v1", pdb.get("apiVersion").asText());
        assertEquals(doc.at("/spec/template/metadata/labels"), pdb.at("/spec/selector/matchLabels"), name);
        int maxUnavailable = pdb.at("/spec/maxUnavailable").asInt(0);
        assertTrue(maxUnavailable >= 1 && maxUnavailable < doc.at("/spec/replicas").asInt(),
            name + ": a drain moves pods one by one and leaves one running");
      }
    }
    JsonNode config = byName.get("ConfigMap/tilefarm-config").get("data");
    long grace = config.has("TILEFARM_WORKER_SHUTDOWN_GRACE_MS")
        ? Long.parseLong(config.get("TILEFARM_WORKER_SHUTDOWN_GRACE_MS").asText())
        : dev.tilefarm.worker.WorkerConfig.DEFAULT_SHUTDOWN_GRACE.toMillis();
    long podGrace = byName.get("Deployment/tilefarm-worker").at("/spec/template/spec/terminationGracePeriodSeconds")
        .asLong(30);
    assertTrue(podGrace * 1000 > grace, "the worker pods' grace period (" + podGrace + " s) exceeds "
        + "worker.shutdown-grace-ms (" + grace + " ms)");
  }

  @Test
  void grafanaDashboardIsValidJsonWithPanelsOnPrometheus() throws IOException {
    JsonNode d = new ObjectMapper().readTree(ROOT.resolve("docker/grafana/tilefarm-dashboard.json").toFile());
    assertEquals("tilefarm", d.get("uid").asText());
    assertTrue(d.get("panels").size() >= 8);
    for (JsonNode p : d.get("panels")) {
      assertEquals("prometheus", p.at("/datasource/uid").asText());
      assertTrue(p.get("targets").size() >= 1, p.get("title").asText());
    }
    assertFalse(grafanaMetricNames().isEmpty());
  }

  /** The metric names the Grafana dashboard's queries use (DashboardIT checks them against a real scrape). */
  static Set<String> grafanaMetricNames() throws IOException {
    JsonNode d = new ObjectMapper().readTree(ROOT.resolve("docker/grafana/tilefarm-dashboard.json").toFile());
    Set<String> names = new HashSet<>();
    Pattern metric = Pattern.compile("\\b((?:tilefarm|kafka|jvm)_[a-z0-9_]+)");
    for (JsonNode p : d.get("panels")) {
      for (JsonNode t : p.get("targets")) {
        Matcher m = metric.matcher(t.get("expr").asText());
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  private static void checkEnv(String where, JsonNode env) {
    Iterator<String> names = env.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!name.startsWith("TILEFARM_") || NON_SETTINGS.contains(name)) {
        continue;
      }
      assertTrue(Settings.KEYS.keySet().stream().anyMatch(k -> Settings.envName(k).equals(name)),
          where + " sets " + name + ", which is no setting (README's configuration table lists them)");
    }
  }

  @Test
  void composeUploadRulesAreRulesTheTriggerAccepts() throws IOException {
    assertEquals(1, dev.tilefarm.trigger.UploadTrigger.checkRules(
        java.nio.file.Files.readAllBytes(ROOT.resolve("docker/upload-rules.json"))));
    JsonNode triggers = compose().at("/services/triggers");
    assertEquals("triggers", triggers.at("/command/0").asText());
    assertEquals("/etc/tilefarm/upload-rules.json", triggers.at("/environment/TILEFARM_TRIGGERS_RULES").asText());
  }

  private static void checkCommand(String name) {
    assertTrue(Main.commandLine().getSubcommands().containsKey(name), "tilefarm " + name + " is a command");
  }

  /**
   * YAML as Compose and kubectl read it, merge keys ({@code <<: *anchor}) included: SnakeYAML applies them,
   * Jackson's YAML reader does not.
   */
  private static List<JsonNode> readAll(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var reader = Files.newBufferedReader(file)) {
      for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(reader)) {
        docs.add(JSON.valueToTree(doc));
      }
    }
    return docs;
  }

  private static void dropDraft4Ids(JsonNode node) {
    if (node.isObject()) {
      if (node.path("id").isTextual()) {
        ((ObjectNode) node).remove("id");
      }
      node.forEach(DeploymentFilesTest::dropDraft4Ids);
    } else if (node.isArray()) {
      node.forEach(DeploymentFilesTest::dropDraft4Ids);
    }
  }

  static JsonNode compose() throws IOException {
    return readAll(ROOT.resolve("docker/compose.yaml")).get(0);
  }
}
