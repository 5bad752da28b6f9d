package dev.tilefarm.embedded;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The secured client listeners an {@link EmbeddedKafka} opens beside its PLAINTEXT one, and the users they
 * accept.
 *
 * <ul>
 *   <li>A TLS listener ({@code SSL}, {@code SASL_SSL}) presents a certificate for {@code 127.0.0.1} and
 *       {@code localhost}, signed by a CA made for the data directory; clients trust
 *       {@link EmbeddedKafka#truststore()} (PKCS12, password {@link #TLS_PASSWORD}). Clients are not asked for
 *       certificates.
 *   <li>A SASL listener ({@code SASL_SSL}, {@code SASL_PLAINTEXT}) accepts every mechanism of
 *       {@link #SASL_MECHANISMS}: each user signs in with {@code SCRAM-SHA-512}, {@code SCRAM-SHA-256} or
 *       {@code PLAIN} with its password, and {@code OAUTHBEARER} takes Kafka's unsecured (unsigned) JWTs,
 *       which is for development only.
 * </ul>
 *
 * <p>Without {@code authorizer}, no authorizer runs: a client that authenticates may do anything, and the
 * PLAINTEXT listener, on loopback, stays open for the broker itself and for set-up.
 *
 * <p>With {@code authorizer} ({@link #withAuthorizer()}), Kafka's {@code StandardAuthorizer} decides every
 * request by the ACLs in the cluster metadata, and a request no ACL allows is refused
 * ({@code allow.everyone.if.no.acl.found=false}). The broker then talks to itself (controller and inter-broker
 * listeners) over SASL/PLAIN as {@link #BROKER_USER}, the only super user, whose password is made at each start
 * ({@link EmbeddedKafka#superUserProperties}). The PLAINTEXT listener stays, but its anonymous user
 * ({@code User:ANONYMOUS}) is refused like any user without ACLs, and OAUTHBEARER is not offered, because its
 * unsigned development tokens would let a client claim any principal.
 *
 * @param listeners the secured listeners, each on its own port; not PLAINTEXT, not empty
 * @param users user name to password, for SCRAM (stored in the cluster metadata at start) and PLAIN (in the
 *     listener's JAAS configuration); required with a SASL listener
 * @param authorizer whether the broker authorizes requests by ACLs; needs a SASL listener
 */
public record Security(Set<SecurityProtocol> listeners, Map<String, String> users, boolean authorizer) {
  /** The mechanisms every SASL listener enables. */
  public static final List<String> SASL_MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN", "OAUTHBEARER");
  /** The password of the broker's key store and of the clients' trust store. */
  public static final String TLS_PASSWORD = "tilefarm-embedded";
  /** The broker's own user with an authorizer: the super user (principal {@code User:broker}). */
  public static final String BROKER_USER = "broker";
  /** The authorizer a broker with {@code authorizer} runs: KRaft's, keeping ACLs in the cluster metadata. */
  public static final String AUTHORIZER_CLASS = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

  public Security {
    if (listeners.isEmpty() || listeners.contains(SecurityProtocol.PLAINTEXT)) {
      throw new IllegalArgumentException("secured listeners must be SSL, SASL_SSL or SASL_PLAINTEXT: " + listeners);
    }
    listeners = Set.copyOf(EnumSet.copyOf(listeners));
    users = Map.copyOf(users);
    // The fields are assigned after this body: ask the parameters.
    boolean sasl = listeners.contains(SecurityProtocol.SASL_SSL) || listeners.contains(SecurityProtocol.SASL_PLAINTEXT);
    if (users.isEmpty() && sasl) {
      throw new IllegalArgumentException("a SASL listener needs at least one user");
    }
    users.keySet().forEach(name -> {
      if (!name.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("user name must be letters, digits, '.', '_' or '-': " + name);
      }
    });
    if (authorizer && !sasl) {
      throw new IllegalArgumentException("an authorizer needs a SASL listener (SASL_SSL or SASL_PLAINTEXT), "
          + "so that clients have principals: " + listeners);
    }
    if (authorizer && users.containsKey(BROKER_USER)) {
      throw new IllegalArgumentException("user name '" + BROKER_USER + "' is the broker's own super user");
    }
  }

  /** Secured listeners without an authorizer. */
  public Security(Set<SecurityProtocol> listeners, Map<String, String> users) {
    this(listeners, users, false);
  }

  /** The same listeners and users, with Kafka's StandardAuthorizer deciding every request by ACLs. */
  public Security withAuthorizer() {
    return new Security(listeners, users, true);
  }

  /**
   * The SASL mechanisms the client listeners offer: all of {@link #SASL_MECHANISMS}, less OAUTHBEARER with an
   * authorizer.
   */
  List<String> saslMechanisms() {
    return authorizer ? SASL_MECHANISMS.stream().filter(m -> !m.equals("OAUTHBEARER")).toList() : SASL_MECHANISMS;
  }

  /** Listeners of the given protocols, with these users. */
  public static Security of(Map<String, String> users, SecurityProtocol... listeners) {
    return new Security(Set.of(listeners), users);
  }

  boolean tls() {
    return listeners.contains(SecurityProtocol.SSL) || listeners.contains(SecurityProtocol.SASL_SSL);
  }

  boolean sasl() {
    return listeners.contains(SecurityProtocol.SASL_SSL) || listeners.contains(SecurityProtocol.SASL_PLAINTEXT);
  }

  @Override
  public String toString() {
    // Never print passwords.
    return "Security[listeners=" + listeners + ", users=" + users.keySet() + ", authorizer=" + authorizer + "]";
  }
}
