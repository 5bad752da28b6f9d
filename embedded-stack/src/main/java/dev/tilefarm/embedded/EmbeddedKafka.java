package dev.tilefarm.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, in-process, single-node Apache Kafka server in KRaft mode (combined broker + controller).
 *
 * <p>All data lives under the {@code dataDir} given to {@link #start(Path, int)}:
 * <ul>
 *   <li>{@code dataDir/logs} – the KRaft metadata log and all topic partitions (formatted on first use);</li>
 *   <li>{@code dataDir/embedded-kafka.properties} – the ports used last time, reused on restart when free;</li>
 *   <li>{@code dataDir/server.properties} – the effective broker configuration of the latest start
 *       (informational).</li>
 * </ul>
 * Data therefore survives {@link #close()} and a later {@code start} on the same directory.
 *
 * <p>{@link #start(Path, int, Security)} adds TLS and SASL listeners (see {@link Security}); their TLS
 * material lives in {@code dataDir/tls} and is made on first use. With {@link Security#authorizer()}, the broker
 * runs Kafka's {@code StandardAuthorizer}: the controller and inter-broker listeners ({@code CONTROLLER},
 * {@code BROKER}) then take SASL/PLAIN from the broker's own super user only, and every client needs ACLs.
 *
 * <p>The broker is configured for a single node: replication factor 1 and min ISR 1 for the consumer-offsets,
 * transaction-state and share-group-state topics, no automatic topic creation, and no initial rebalance delay.
 * Transactions (including Kafka Streams {@code exactly_once_v2}), consumer groups, streams groups and share groups
 * (KIP-932, {@code share.version} is enabled by the default 4.4 feature levels written at format time) all work.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    static final String LOG_DIR = "logs";
    static final String STATE_FILE = "embedded-kafka.properties";
    static final String CONFIG_FILE = "server.properties";
    static final String BROKER_PORT_KEY = "broker.port";
    static final String CONTROLLER_PORT_KEY = "controller.port";
    static final int NODE_ID = 1;
    static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    static final String TLS_DIR = "tls";
    private static final int SCRAM_ITERATIONS = 4096;

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final String host;
    private final int port;
    private final Map<SecurityProtocol, Integer> securedPorts;
    /** The password of {@link Security#BROKER_USER} when an authorizer runs, else null. */
    private final String brokerPassword;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, String host, int port,
            Map<SecurityProtocol, Integer> securedPorts, String brokerPassword) {
        this.server = server;
        this.dataDir = dataDir;
        this.host = host;
        this.port = port;
        this.securedPorts = Map.copyOf(securedPorts);
        this.brokerPassword = brokerPassword;
    }

    /**
     * Starts a single-node combined broker+controller KRaft server with data in {@code dataDir}.
     *
     * <p>The storage is formatted on first use and reused afterwards, so data survives restarts.
     *
     * @param dataDir directory holding all broker data (created if missing)
     * @param port    the client (PLAINTEXT) port on 127.0.0.1; 0 picks a free port, preferring the one used last
     *                time with this {@code dataDir} when it is still free
     * @return the running broker, ready to serve clients
     */
    public static EmbeddedKafka start(Path dataDir, int port) throws Exception {
        return start(dataDir, port, null);
    }

    /**
     * Starts the broker as {@link #start(Path, int)} does, with secured client listeners besides the PLAINTEXT one.
     * Each secured listener takes a free port ({@link #bootstrapServers(SecurityProtocol)}); the SCRAM users of
     * {@code security} exist before this returns.
     *
     * @param security the secured listeners and their users, or null for PLAINTEXT alone
     */
    public static EmbeddedKafka start(Path dataDir, int port, Security security) throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        long t0 = System.nanoTime();
        Path dir = dataDir.toAbsolutePath().normalize();
        Path logDir = dir.resolve(LOG_DIR);
        Files.createDirectories(logDir);
        Properties state = loadState(dir.resolve(STATE_FILE));
        boolean formatted = Files.exists(logDir.resolve("meta.properties"));
        Path tlsDir = dir.resolve(TLS_DIR);
        if (security != null && security.tls()) {
            TlsMaterial.ensure(tlsDir, Security.TLS_PASSWORD);
        }
        boolean authorizer = security != null && security.authorizer();
        // Made at each start: it lives only in this broker's JAAS configuration and in this object.
        String brokerPassword = authorizer ? newPassword() : null;

        // A free port we probe can be taken by someone else before the broker binds it; retry then.
        int attempts = port == 0 ? 3 : 1;
        for (int attempt = 1; ; attempt++) {
            int brokerPort = port != 0 ? port : choosePort(formatted ? state.getProperty(BROKER_PORT_KEY) : null, -1);
            int controllerPort = choosePort(state.getProperty(CONTROLLER_PORT_KEY), brokerPort);
            Map<SecurityProtocol, Integer> securedPorts = new EnumMap<>(SecurityProtocol.class);
            int interBrokerPort = -1;
            if (security != null) {
                Set<Integer> taken = new HashSet<>(List.of(brokerPort, controllerPort));
                for (SecurityProtocol listener : security.listeners()) {
                    securedPorts.put(listener, freePortBut(taken));
                }
                if (authorizer) {
                    interBrokerPort = freePortBut(taken);
                }
            }
            Properties props = brokerProperties(logDir, brokerPort, controllerPort);
            if (security != null) {
                props.putAll(securedListeners(props, securedPorts, security, tlsDir, brokerPassword));
            }
            if (authorizer) {
                props.putAll(authorizerSettings(props, interBrokerPort, brokerPassword));
            }
            writeProperties(dir.resolve(CONFIG_FILE), props, "Effective configuration of the embedded Kafka broker");
            if (!formatted) {
                format(dir.resolve(CONFIG_FILE), Uuid.randomUuid().toString());
                formatted = true;
            }
            state.setProperty(BROKER_PORT_KEY, Integer.toString(brokerPort));
            state.setProperty(CONTROLLER_PORT_KEY, Integer.toString(controllerPort));
            writeProperties(dir.resolve(STATE_FILE), state, "Ports used by the embedded Kafka broker");

            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
            try {
                server.startup();
                awaitReady(HOST, brokerPort, READY_TIMEOUT);
                if (security != null && security.sasl()) {
                    addScramUsers(setupClient(brokerPort, interBrokerPort, brokerPassword), security.users());
                }
            } catch (Throwable t) {
                stopQuietly(server);
                if (attempt < attempts && Ports.isBindFailure(t)) {
                    LOG.warn("Embedded Kafka could not bind its ports ({}), retrying with other ports", t.toString());
                    state.remove(CONTROLLER_PORT_KEY);
                    state.remove(BROKER_PORT_KEY);
                    continue;
                }
                throw t;
            }
            LOG.info("Embedded Kafka started on {}:{} (controller port {}, secured listeners {}, authorizer {}, "
                    + "data {}) in {} ms", HOST, brokerPort, controllerPort, securedPorts, authorizer ? "on" : "off",
                    dir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return new EmbeddedKafka(server, dir, HOST, brokerPort, securedPorts, brokerPassword);
        }
    }

    /**
     * One node of a KRaft quorum of several combined broker+controller nodes, each in a process of its own.
     *
     * @param nodeId     this node's id, one of the ids in {@code voters}
     * @param host       the address this node listens on and advertises
     * @param brokerPort the client (PLAINTEXT) port
     * @param voters     the quorum, {@code ID@HOST:CONTROLLER_PORT,...}; this node's controller port is its entry's
     * @param clusterId  the cluster id every node's storage is formatted with (a base64 UUID, see
     *                   {@link #newClusterId()}); used only when the storage is new
     */
    public record QuorumNode(int nodeId, String host, int brokerPort, String voters, String clusterId) {
        public QuorumNode {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(voters, "voters");
            Objects.requireNonNull(clusterId, "clusterId");
            if (brokerPort <= 0 || brokerPort > 65535) {
                throw new IllegalArgumentException("brokerPort: out of range: " + brokerPort);
            }
            Map<Integer, String> parsed = parseVoters(voters);
            if (!parsed.containsKey(nodeId)) {
                throw new IllegalArgumentException("nodeId: " + nodeId + " is not one of the voters "
                        + parsed.keySet());
            }
        }

        /** The voters by node id, each {@code HOST:PORT}. */
        public Map<Integer, String> voterAddresses() {
            return parseVoters(voters);
        }

        /** This node's controller port, from its entry in {@link #voters()}. */
        public int controllerPort() {
            String address = voterAddresses().get(nodeId);
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        }

        /**
         * How many copies of each partition the quorum keeps: 3, or every node in a smaller one; writes need all
         * but one of them ({@code min.insync.replicas}), so one node may be down without stopping a write.
         */
        public int replication() {
            return Math.min(3, voterAddresses().size());
        }

        static Map<Integer, String> parseVoters(String voters) {
            Map<Integer, String> out = new TreeMap<>();
            for (String v : voters.split(",")) {
                String entry = v.strip();
                int at = entry.indexOf('@');
                int colon = entry.lastIndexOf(':');
                if (at <= 0 || colon < at) {
                    throw new IllegalArgumentException("voters: '" + entry + "' is not ID@HOST:PORT");
                }
                int id;
                int port;
                try {
                    id = Integer.parseInt(entry.substring(0, at));
                    port = Integer.parseInt(entry.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("voters: '" + entry + "' is not ID@HOST:PORT");
                }
                if (port <= 0 || port > 65535) {
                    throw new IllegalArgumentException("voters: port out of range in '" + entry + "'");
                }
                if (out.put(id, entry.substring(at + 1)) != null) {
                    throw new IllegalArgumentException("voters: node id " + id + " is given twice");
                }
            }
            return out;
        }
    }

    /** A new cluster id for {@link QuorumNode#clusterId()}. */
    public static String newClusterId() {
        return Uuid.randomUuid().toString();
    }

    /**
     * Starts one node of a multi-node quorum with data in {@code dataDir} (formatted on first use with the node's
     * cluster id) and returns once its broker serves clients, which takes a majority of the voters running.
     * Partitions have {@link QuorumNode#replication()} copies and {@code min.insync.replicas} one less, Kafka's
     * internal topics (offsets, transactions, share-group state) too.
     */
    public static EmbeddedKafka startNode(Path dataDir, QuorumNode node) throws Exception {
        long t0 = System.nanoTime();
        Path dir = dataDir.toAbsolutePath().normalize();
        Path logDir = dir.resolve(LOG_DIR);
        Files.createDirectories(logDir);
        Properties props = quorumProperties(logDir, node);
        writeProperties(dir.resolve(CONFIG_FILE), props, "Effective configuration of quorum node " + node.nodeId());
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(dir.resolve(CONFIG_FILE), node.clusterId());
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        try {
            server.startup();
            awaitReady(node.host(), node.brokerPort(), Duration.ofMinutes(3));
        } catch (Throwable t) {
            stopQuietly(server);
            throw t;
        }
        LOG.info("Kafka quorum node {} started on {}:{} (controller port {}, voters {}, data {}) in {} ms",
                node.nodeId(), node.host(), node.brokerPort(), node.controllerPort(), node.voters(), dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return new EmbeddedKafka(server, dir, node.host(), node.brokerPort(), Map.of(), null);
    }

    /** The configuration of one node of a multi-node quorum: {@link #brokerProperties} with its own ids and copies. */
    static Properties quorumProperties(Path logDir, QuorumNode node) {
        Properties p = brokerProperties(logDir, node.brokerPort(), node.controllerPort());
        String host = node.host();
        String replication = Integer.toString(node.replication());
        String minIsr = Integer.toString(Math.max(1, node.replication() - 1));
        p.put("node.id", Integer.toString(node.nodeId()));
        p.put("controller.quorum.voters", node.voters());
        p.put("listeners", "PLAINTEXT://" + host + ":" + node.brokerPort() + ",CONTROLLER://" + host + ":"
                + node.controllerPort());
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + node.brokerPort());
        p.put("default.replication.factor", replication);
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", replication);
        p.put("transaction.state.log.replication.factor", replication);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("share.coordinator.state.topic.replication.factor", replication);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        // A node that died is out of the ISR and its partitions led elsewhere within seconds, not the defaults' 9-30 s.
        p.put("broker.session.timeout.ms", "6000");
        p.put("broker.heartbeat.interval.ms", "1000");
        p.put("replica.lag.time.max.ms", "10000");
        // A replica that comes back takes its leaderships back, so leaders spread over the nodes again.
        p.put("auto.leader.rebalance.enable", "true");
        p.put("leader.imbalance.check.interval.seconds", "30");
        return p;
    }

    /** The bootstrap servers string for clients, {@code "127.0.0.1:PORT"}: the PLAINTEXT listener. */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    /**
     * The bootstrap servers string of a listener: PLAINTEXT, or one of the secured listeners this broker was
     * started with.
     */
    public String bootstrapServers(SecurityProtocol listener) {
        if (listener == SecurityProtocol.PLAINTEXT) {
            return bootstrapServers();
        }
        Integer p = securedPorts.get(listener);
        if (p == null) {
            throw new IllegalArgumentException("no " + listener + " listener; this broker has "
                    + securedPorts.keySet());
        }
        return host + ":" + p;
    }

    /** The PKCS12 trust store (password {@link Security#TLS_PASSWORD}) holding the CA of the TLS listeners. */
    public Path truststore() {
        return dataDir.resolve(TLS_DIR).resolve(TlsMaterial.TRUSTSTORE);
    }

    /**
     * What a client needs to reach {@code listener} without credentials: {@code bootstrap.servers},
     * {@code security.protocol} and, for TLS, the trust store. A SASL client adds {@code sasl.mechanism} and
     * {@code sasl.jaas.config}.
     */
    public Map<String, String> clientProperties(SecurityProtocol listener) {
        Map<String, String> p = new TreeMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(listener));
        p.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, listener.name);
        if (listener == SecurityProtocol.SSL || listener == SecurityProtocol.SASL_SSL) {
            p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststore().toString());
            p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, Security.TLS_PASSWORD);
            p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        }
        return p;
    }

    /**
     * What a client needs to reach the SASL {@code listener} as the broker's super user ({@code User:broker},
     * SASL/PLAIN), which may do anything, such as create topics and ACLs: {@link #clientProperties} plus
     * {@code sasl.mechanism} and {@code sasl.jaas.config}. Only for a broker started with an authorizer.
     */
    public Map<String, String> superUserProperties(SecurityProtocol listener) {
        if (brokerPassword == null) {
            throw new IllegalStateException("this broker runs no authorizer, so it has no super user");
        }
        if (listener != SecurityProtocol.SASL_SSL && listener != SecurityProtocol.SASL_PLAINTEXT) {
            throw new IllegalArgumentException("the super user signs in over a SASL listener, not " + listener);
        }
        Map<String, String> p = clientProperties(listener);
        p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        p.put(SaslConfigs.SASL_JAAS_CONFIG, plainClientJaas(Security.BROKER_USER, brokerPassword));
        return p;
    }

    /** Shuts the broker down cleanly and waits until it has stopped. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long t0 = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Embedded Kafka on {} (data {}) stopped in {} ms", bootstrapServers(), dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", " + dataDir + "]";
    }

    /** The broker configuration for a single combined broker+controller node. */
    static Properties brokerProperties(Path logDir, int brokerPort, int controllerPort) {
        Map<String, String> p = new TreeMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        // Static single-voter quorum: the controller port may change between restarts without touching the log.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());

        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");

        // Consumer groups (classic / consumer protocol) and Kafka Streams groups.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.streams.initial.rebalance.delay.ms", "0");

        // Transactions (exactly_once_v2).
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");

        // Share groups (KIP-932). They are enabled by the share.version feature, which the 4.4 default
        // feature levels written by the storage format set to 2; there is no group.share.enable any more.
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "4");
        p.put("group.share.record.lock.duration.ms", "30000");
        p.put("group.share.min.heartbeat.interval.ms", "1000");
        p.put("group.share.heartbeat.interval.ms", "1000");
        // Kafka's largest share group (default 200): `tilefarm bench --sections swarm` runs 1,000 workers in one. A
        // static broker setting in Kafka 4.3 (neither a dynamic broker config nor a per-group one).
        p.put("group.share.max.size", "1000");

        // Keep the in-process footprint modest: the cleaner's dedupe buffer defaults to 128 MiB of heap.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));

        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    /**
     * The broker settings that add the secured listeners to {@code base}: one listener per protocol, named after
     * it, with the broker key store for TLS and, for SASL, the mechanisms of {@link Security#saslMechanisms()};
     * with a {@code brokerPassword} (an authorizer), the broker's super user may sign in with PLAIN too.
     */
    static Map<String, String> securedListeners(Properties base, Map<SecurityProtocol, Integer> ports,
            Security security, Path tlsDir, String brokerPassword) {
        Map<String, String> p = new TreeMap<>();
        List<String> listeners = new ArrayList<>(List.of(base.getProperty("listeners")));
        List<String> advertised = new ArrayList<>(List.of(base.getProperty("advertised.listeners")));
        List<String> map = new ArrayList<>(List.of(base.getProperty("listener.security.protocol.map")));
        ports.forEach((protocol, port) -> {
            listeners.add(protocol.name + "://" + HOST + ":" + port);
            advertised.add(protocol.name + "://" + HOST + ":" + port);
            map.add(protocol.name + ":" + protocol.name);
        });
        p.put("listeners", String.join(",", listeners));
        p.put("advertised.listeners", String.join(",", advertised));
        p.put("listener.security.protocol.map", String.join(",", map));
        if (security.tls()) {
            p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, tlsDir.resolve(TlsMaterial.KEYSTORE).toString());
            p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, Security.TLS_PASSWORD);
            p.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, Security.TLS_PASSWORD);
            p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            p.put("ssl.client.auth", "none");
        }
        if (security.sasl()) {
            p.put("sasl.enabled.mechanisms", String.join(",", security.saslMechanisms()));
            StringBuilder plainUsers = new StringBuilder();
            security.users().forEach((name, password) ->
                    plainUsers.append(" user_").append(name).append("=").append(jaasQuote(password)));
            if (brokerPassword != null) {
                // The super user may sign in on a client listener too, to set up topics and ACLs.
                plainUsers.append(" user_").append(Security.BROKER_USER).append("=").append(jaasQuote(brokerPassword));
            }
            for (SecurityProtocol protocol : ports.keySet()) {
                if (protocol != SecurityProtocol.SASL_SSL && protocol != SecurityProtocol.SASL_PLAINTEXT) {
                    continue;
                }
                String prefix = "listener.name." + protocol.name.toLowerCase(Locale.ROOT) + ".";
                p.put(prefix + "scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
                p.put(prefix + "scram-sha-256.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
                p.put(prefix + "plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required" + plainUsers + ";");
                if (security.saslMechanisms().contains("OAUTHBEARER")) {
                    p.put(prefix + "oauthbearer.sasl.jaas.config",
                            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required"
                                    + " unsecuredLoginStringClaim_sub=\"broker\";");
                }
            }
        }
        return p;
    }

    /**
     * The settings that turn on the StandardAuthorizer over {@code base} (with its secured listeners): the
     * controller listener and a new inter-broker listener {@code BROKER} on {@code interBrokerPort} take SASL/PLAIN
     * from {@link Security#BROKER_USER} alone, who is the only super user; no ACL means no access.
     */
    static Map<String, String> authorizerSettings(Properties base, int interBrokerPort, String brokerPassword) {
        Map<String, String> p = new TreeMap<>();
        String listener = "BROKER://" + HOST + ":" + interBrokerPort;
        p.put("listeners", base.getProperty("listeners") + "," + listener);
        p.put("advertised.listeners", base.getProperty("advertised.listeners") + "," + listener);
        p.put("listener.security.protocol.map", base.getProperty("listener.security.protocol.map")
                .replace("CONTROLLER:PLAINTEXT", "CONTROLLER:SASL_PLAINTEXT") + ",BROKER:SASL_PLAINTEXT");
        p.put("inter.broker.listener.name", "BROKER");
        p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        String user = " user_" + Security.BROKER_USER + "=" + jaasQuote(brokerPassword);
        // Both ends of the broker's own connections: it signs in with username/password and accepts user_broker.
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username="
                + jaasQuote(Security.BROKER_USER) + " password=" + jaasQuote(brokerPassword) + user + ";";
        for (String name : List.of("broker", "controller")) {
            p.put("listener.name." + name + ".sasl.enabled.mechanisms", "PLAIN");
            p.put("listener.name." + name + ".plain.sasl.jaas.config", jaas);
        }
        p.put("authorizer.class.name", Security.AUTHORIZER_CLASS);
        p.put("super.users", "User:" + Security.BROKER_USER);
        p.put("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /**
     * The admin client settings for setting the broker up: the PLAINTEXT listener, or, with an authorizer (an
     * inter-broker port), the broker's own listener as the super user.
     */
    private static Properties setupClient(int brokerPort, int interBrokerPort, String brokerPassword) {
        Properties p = new Properties();
        if (brokerPassword == null) {
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + brokerPort);
        } else {
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + interBrokerPort);
            p.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_PLAINTEXT.name);
            p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            p.put(SaslConfigs.SASL_JAAS_CONFIG, plainClientJaas(Security.BROKER_USER, brokerPassword));
        }
        return p;
    }

    private static String plainClientJaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=" + jaasQuote(user)
                + " password=" + jaasQuote(password) + ";";
    }

    private static String newPassword() {
        byte[] b = new byte[18];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static int freePortBut(Set<Integer> taken) throws IOException {
        int p;
        do {
            p = Ports.freePort(HOST);
        } while (!taken.add(p));
        return p;
    }

    private static String jaasQuote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * Stores the users' SCRAM credentials with the set-up client ({@link #setupClient}), then waits until the
     * broker serves them, so that the first SCRAM client after {@code start} signs in.
     */
    private static void addScramUsers(Properties p, Map<String, String> users) throws Exception {
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-users");
        try (Admin admin = Admin.create(p)) {
            // One request per mechanism: a request may alter each user only once.
            for (ScramMechanism m : List.of(ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256)) {
                List<UserScramCredentialAlteration> upserts = new ArrayList<>();
                users.forEach((name, password) -> upserts.add(new UserScramCredentialUpsertion(name,
                        new ScramCredentialInfo(m, SCRAM_ITERATIONS), password)));
                admin.alterUserScramCredentials(upserts).all().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            // The controller has committed them; the broker serves them once it has applied that metadata.
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (true) {
                Map<String, UserScramCredentialsDescription> served = admin.describeUserScramCredentials()
                        .all().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (users.keySet().stream().allMatch(u -> served.containsKey(u)
                        && served.get(u).credentialInfos().size() == 2)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker does not serve the SCRAM users " + users.keySet()
                            + " after " + READY_TIMEOUT);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Formats the log directory named by the config file with a new cluster id (StorageTool's main would exit). */
    private static void format(Path configFile, String clusterId) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {
                "format", "--config", configFile.toString(), "--cluster-id", clusterId, "--ignore-formatted"
            }, out);
        } catch (Exception e) {
            throw new IllegalStateException("Formatting Kafka storage failed: "
                    + buffer.toString(StandardCharsets.UTF_8), e);
        }
        String output = buffer.toString(StandardCharsets.UTF_8).strip();
        if (rc != 0) {
            throw new IllegalStateException("Formatting Kafka storage failed (exit " + rc + "): " + output);
        }
        LOG.debug("Formatted Kafka storage with cluster id {}: {}", clusterId, output);
    }

    /** Waits until the broker answers a metadata request on its client listener. */
    private static void awaitReady(String host, int brokerPort, Duration timeout) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, host + ":" + brokerPort);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The stored port if it is a valid, free port different from {@code avoid}, otherwise a fresh free port. */
    private static int choosePort(String stored, int avoid) throws IOException {
        if (stored != null) {
            try {
                int p = Integer.parseInt(stored.trim());
                if (p > 0 && p <= 65535 && p != avoid && Ports.isFree(HOST, p)) {
                    return p;
                }
            } catch (NumberFormatException ignored) {
                // fall through to a fresh port
            }
        }
        int p;
        do {
            p = Ports.freePort(HOST);
        } while (p == avoid);
        return p;
    }

    private static void stopQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (Throwable t) {
            LOG.debug("Error while stopping a Kafka server that failed to start", t);
        }
    }

    private static Properties loadState(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        return p;
    }

    private static void writeProperties(Path file, Properties props, String comment) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            props.store(w, comment);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
