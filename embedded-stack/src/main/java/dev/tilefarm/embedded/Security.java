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
 * <p>No authorizer runs: a client that authenticates may do anything. The PLAINTEXT listener, on loopback,
 * stays open for the broker itself and for set-up.
 *
 * @param listeners the secured listeners, each on its own port; not PLAINTEXT, not empty
 * @param users user name to password, for SCRAM (stored in the cluster metadata at start) and PLAIN (in the
 *     listener's JAAS configuration); required with a SASL listener
 */
public record Security(Set<SecurityProtocol> listeners, Map<String, String> users) {
  /** The mechanisms every SASL listener enables. */
  public static final List<String> SASL_MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN", "OAUTHBEARER");
  /** The password of the broker's key store and of the clients' trust store. */
  public static final String TLS_PASSWORD = "tilefarm-embedded";

  public Security {
    if (listeners.isEmpty() || listeners.contains(SecurityProtocol.PLAINTEXT)) {
      throw new IllegalArgumentException("secured listeners must be SSL, SASL_SSL or SASL_PLAINTEXT: " + listeners);
    }
    listeners = Set.copyOf(EnumSet.copyOf(listeners));
    users = Map.copyOf(users);
    if (users.isEmpty() && sasl()) {
      throw new IllegalArgumentException("a SASL listener needs at least one user");
    }
    users.keySet().forEach(name -> {
      if (!name.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("user name must be letters, digits, '.', '_' or '-': " + name);
      }
    });
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
    return "Security[listeners=" + listeners + ", users=" + users.keySet() + "]";
  }
}
