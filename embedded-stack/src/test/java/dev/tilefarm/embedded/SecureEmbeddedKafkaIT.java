package dev.tilefarm.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker with TLS and SASL listeners: each listener and mechanism lets the right client in and
 * refuses the wrong one with an authentication error (not a hang), and the TLS material and users survive a
 * restart.
 */
class SecureEmbeddedKafkaIT {
  private static final Map<String, String> USERS = Map.of("alice", "alice-secret", "bob", "b\"ob\\secret");

  @TempDir
  static Path dir;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir, 0,
        Security.of(USERS, SecurityProtocol.SSL, SecurityProtocol.SASL_SSL, SecurityProtocol.SASL_PLAINTEXT));
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void tlsListenerServesAClientThatTrustsItsCa() throws Exception {
    assertEquals(1, nodes(kafka.clientProperties(SecurityProtocol.SSL)));
  }

  @Test
  void tlsListenerRefusesAClientThatDoesNotTrustItsCa() {
    Map<String, String> p = new HashMap<>(kafka.clientProperties(SecurityProtocol.SSL));
    p.keySet().removeIf(k -> k.startsWith("ssl.truststore"));
    assertInstanceOf(SslAuthenticationException.class, refusal(p));
  }

  @Test
  void saslListenersSignInEveryMechanism() throws Exception {
    for (SecurityProtocol listener : List.of(SecurityProtocol.SASL_SSL, SecurityProtocol.SASL_PLAINTEXT)) {
      for (String mechanism : List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")) {
        for (var user : USERS.entrySet()) {
          assertEquals(1, nodes(sasl(listener, mechanism, user.getKey(), user.getValue())),
              listener + " " + mechanism + " " + user.getKey());
        }
      }
      Map<String, String> oauth = new HashMap<>(kafka.clientProperties(listener));
      oauth.put(SaslConfigs.SASL_MECHANISM, "OAUTHBEARER");
      oauth.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
          + " required unsecuredLoginStringClaim_sub=\"alice\";");
      assertEquals(1, nodes(oauth), listener + " OAUTHBEARER");
    }
  }

  @Test
  void saslListenerRefusesAWrongPasswordAndAnUnknownUser() {
    for (String mechanism : List.of("SCRAM-SHA-512", "PLAIN")) {
      assertInstanceOf(SaslAuthenticationException.class,
          refusal(sasl(SecurityProtocol.SASL_SSL, mechanism, "alice", "wrong")), mechanism);
      assertInstanceOf(SaslAuthenticationException.class,
          refusal(sasl(SecurityProtocol.SASL_SSL, mechanism, "mallory", "alice-secret")), mechanism);
    }
  }

  @Test
  void restartKeepsUsersAndTlsMaterial() throws Exception {
    // Its own directory: the shared broker keeps running for the other tests.
    Path own = dir.resolve("restart");
    Security security = Security.of(Map.of("carol", "carol-secret"), SecurityProtocol.SASL_SSL);
    try (EmbeddedKafka first = EmbeddedKafka.start(own, 0, security)) {
      Map<String, String> p = new HashMap<>(first.clientProperties(SecurityProtocol.SASL_SSL));
      p.putAll(scram("carol", "carol-secret"));
      try (Admin admin = Admin.create(new HashMap<>(p))) {
        admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      }
    }
    try (EmbeddedKafka second = EmbeddedKafka.start(own, 0, security)) {
      Map<String, String> p = new HashMap<>(second.clientProperties(SecurityProtocol.SASL_SSL));
      p.putAll(scram("carol", "carol-secret"));
      try (Admin admin = Admin.create(new HashMap<>(p))) {
        assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("kept"));
      }
    }
  }

  private static Map<String, String> sasl(SecurityProtocol listener, String mechanism, String user, String password) {
    Map<String, String> p = new HashMap<>(kafka.clientProperties(listener));
    p.put(SaslConfigs.SASL_MECHANISM, mechanism);
    String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
    p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=" + quote(user) + " password=" + quote(password)
        + ";");
    return p;
  }

  private static Map<String, String> scram(String user, String password) {
    return Map.of(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512", SaslConfigs.SASL_JAAS_CONFIG,
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=" + quote(user) + " password="
            + quote(password) + ";");
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static int nodes(Map<String, String> client) throws Exception {
    try (Admin admin = Admin.create(new HashMap<>(client))) {
      return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
    }
  }

  /** The error a client gets; the API timeout bounds it, so a client that hangs fails as a timeout. */
  private static Throwable refusal(Map<String, String> client) {
    Map<String, Object> p = new HashMap<>(client);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    try (Admin admin = Admin.create(p)) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> admin.describeCluster().nodes().get(60, TimeUnit.SECONDS));
      return e.getCause();
    }
  }
}
