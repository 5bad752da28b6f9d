package dev.tilefarm.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker with Kafka's StandardAuthorizer: the broker's own super user may create topics and ACLs, a
 * user may write a topic only once an ACL allows it, and the broker itself refuses everyone else, the anonymous
 * PLAINTEXT user included. OAUTHBEARER's unsigned tokens are not offered, since they could claim any principal.
 */
class AuthorizedEmbeddedKafkaIT {
  private static final Map<String, String> USERS = Map.of("alice", "alice-secret", "bob", "bob-secret");
  private static final String TOPIC = "authorized";

  @TempDir
  static Path dir;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir, 0, Security.of(USERS, SecurityProtocol.SASL_PLAINTEXT).withAuthorizer());
    try (Admin admin = Admin.create(Map.copyOf(kafka.superUserProperties(SecurityProtocol.SASL_PLAINTEXT)))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      AclBinding aliceWrites = new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
          new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW));
      admin.createAcls(List.of(aliceWrites)).all().get(30, TimeUnit.SECONDS);
      // The broker serves ACLs once it has applied the metadata record; describeAcls answers from there.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the broker does not serve the new ACL");
        }
        Thread.sleep(20);
      }
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aUserWithAnAclWrites() throws Exception {
    try (KafkaProducer<String, String> p = producer(sasl("alice", "alice-secret", "SCRAM-SHA-512"))) {
      assertEquals(TOPIC, p.send(new ProducerRecord<>(TOPIC, "k", "v")).get(30, TimeUnit.SECONDS).topic());
    }
  }

  @Test
  void theBrokerRefusesAUserWithoutAnAcl() {
    assertInstanceOf(TopicAuthorizationException.class, sendFailure(sasl("bob", "bob-secret", "PLAIN")));
  }

  @Test
  void theBrokerRefusesTheAnonymousPlaintextUser() {
    assertInstanceOf(TopicAuthorizationException.class,
        sendFailure(kafka.clientProperties(SecurityProtocol.PLAINTEXT)));
  }

  @Test
  void onlyTheSuperUserMayChangeAcls() {
    try (Admin admin = Admin.create(Map.copyOf(sasl("alice", "alice-secret", "PLAIN")))) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> admin.createAcls(List.of(new AclBinding(
          new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
          new AccessControlEntry("User:alice", "*", AclOperation.ALL, AclPermissionType.ALLOW))))
          .all().get(30, TimeUnit.SECONDS));
      assertInstanceOf(ClusterAuthorizationException.class, e.getCause());
    }
  }

  @Test
  void unsignedOauthTokensAreNotOffered() {
    Map<String, String> p = new HashMap<>(kafka.clientProperties(SecurityProtocol.SASL_PLAINTEXT));
    p.put(SaslConfigs.SASL_MECHANISM, "OAUTHBEARER");
    p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
        + " required unsecuredLoginStringClaim_sub=\"broker\";");
    Throwable refused = sendFailure(p);
    if (!(refused instanceof UnsupportedSaslMechanismException)) {
      assertInstanceOf(SaslAuthenticationException.class, refused);
    }
  }

  private static Throwable sendFailure(Map<String, String> client) {
    try (KafkaProducer<String, String> p = producer(client)) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> p.send(new ProducerRecord<>(TOPIC, "k", "v")).get(30, TimeUnit.SECONDS));
      return e.getCause();
    }
  }

  private static KafkaProducer<String, String> producer(Map<String, String> client) {
    Map<String, Object> p = new HashMap<>(client);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  private static Map<String, String> sasl(String user, String password, String mechanism) {
    Map<String, String> p = new HashMap<>(kafka.clientProperties(SecurityProtocol.SASL_PLAINTEXT));
    p.put(SaslConfigs.SASL_MECHANISM, mechanism);
    String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
    p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + user + "\" password=\"" + password + "\";");
    return p;
  }
}
