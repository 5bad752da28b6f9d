package dev.tilefarm.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Starts the real embedded Kafka broker and S3 server, exercises them, restarts them and checks the data is kept. */
class EmbeddedStackIT {

    private static final String ACCESS = "tilefarm";
    private static final String SECRET = "tilefarm-secret";
    private static final String BUCKET = "tiles";
    private static final String TOPIC = "it-jobs";
    private static final String TX_TOPIC = "it-tx";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void kafkaAndS3WorkAndKeepTheirDataAcrossRestarts() throws Exception {
        Path kafkaDir = dir.resolve("kafka");
        Path s3Dir = dir.resolve("s3");
        byte[] blob = new byte[300_000];
        new Random(42).nextBytes(blob);
        String key = "jobs/j1/tiles/0-0.png";
        int kafkaPort;
        try (EmbeddedKafka kafka = startKafka(kafkaDir, "first start");
             EmbeddedS3 s3 = startS3(s3Dir, "first start")) {
            String bootstrap = kafka.bootstrapServers();
            assertTrue(bootstrap.startsWith("127.0.0.1:"), bootstrap);
            kafkaPort = Integer.parseInt(bootstrap.substring(bootstrap.indexOf(':') + 1));
            assertEquals("us-east-1", s3.region());
            assertEquals(BUCKET, s3.bucket());
            assertEquals("127.0.0.1", s3.endpoint().getHost());
            assertTrue(s3.endpoint().getPort() > 0);

            lap(null);
            try (Admin admin = admin(bootstrap)) {
                FinalizedVersionRange share = admin.describeFeatures().featureMetadata().get()
                        .finalizedFeatures().get("share.version");
                assertNotNull(share, "share.version feature must be finalized");
                assertTrue(share.maxVersionLevel() >= 1, "share groups enabled: " + share);

                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1), new NewTopic(TX_TOPIC, 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
                assertTrue(admin.listTopics().names().get().contains(TOPIC));

                // Share groups start from the latest offset unless told otherwise (a group config).
                admin.incrementalAlterConfigs(Map.of(
                        new ConfigResource(ConfigResource.Type.GROUP, "it-share"),
                        List.of(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            }

            try (KafkaProducer<String, String> producer = producer(bootstrap, null)) {
                producer.send(new ProducerRecord<>(TOPIC, "k1", "v1")).get(30, TimeUnit.SECONDS);
            }
            assertEquals(List.of("k1=v1"), consumeAll(bootstrap, TOPIC, "it-classic-1", false, 1));

            lap("produce+consume");
            // Share group (KIP-932) with explicit acknowledgement.
            Properties sp = new Properties();
            sp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            sp.put(ConsumerConfig.GROUP_ID_CONFIG, "it-share");
            sp.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
            try (KafkaShareConsumer<String, String> share =
                         new KafkaShareConsumer<>(sp, new StringDeserializer(), new StringDeserializer())) {
                share.subscribe(List.of(TOPIC));
                ConsumerRecord<String, String> got = null;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (got == null && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : share.poll(Duration.ofMillis(500))) {
                        share.acknowledge(r, AcknowledgeType.ACCEPT);
                        if (got == null) {
                            got = r;
                        }
                    }
                }
                assertNotNull(got, "share consumer received no record");
                assertEquals("v1", got.value());
                Map<TopicIdPartition, Optional<KafkaException>> acks = share.commitSync(WAIT);
                assertFalse(acks.isEmpty(), "acknowledgements were committed");
                acks.forEach((tp, err) -> assertTrue(err.isEmpty(), tp + ": " + err));
            }

            lap("share group");
            // Transactions.
            try (KafkaProducer<String, String> tx = producer(bootstrap, "it-tx-" + UUID.randomUUID())) {
                tx.initTransactions();
                tx.beginTransaction();
                tx.send(new ProducerRecord<>(TX_TOPIC, "t1", "committed"));
                tx.commitTransaction();
            }
            assertEquals(List.of("t1=committed"), consumeAll(bootstrap, TX_TOPIC, "it-tx-reader", true, 1));

            lap("transaction");
            // S3 round trip.
            try (S3Client client = s3Client(s3)) {
                client.putObject(b -> b.bucket(BUCKET).key(key).contentType("image/png"), RequestBody.fromBytes(blob));
                assertArrayEquals(blob, client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray());
            }
        }

        assertTrue(Files.isRegularFile(kafkaDir.resolve("embedded-kafka.properties")));

        // Restart on the same directories: data must still be there, and the Kafka port is reused.
        try (EmbeddedKafka kafka = startKafka(kafkaDir, "restart");
             EmbeddedS3 s3 = startS3(s3Dir, "restart")) {
            assertEquals("127.0.0.1:" + kafkaPort, kafka.bootstrapServers(), "previous port reused");
            try (Admin admin = admin(kafka.bootstrapServers())) {
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC));
            }
            assertEquals(List.of("k1=v1"), consumeAll(kafka.bootstrapServers(), TOPIC, "it-classic-2", false, 1));
            assertEquals(List.of("t1=committed"),
                    consumeAll(kafka.bootstrapServers(), TX_TOPIC, "it-tx-reader-2", true, 1));
            try (S3Client client = s3Client(s3)) {
                assertArrayEquals(blob, client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray());
            }
        }
    }

    @Test
    void restartPicksAnotherPortWhenThePreviousOneIsTaken() throws Exception {
        Path kafkaDir = dir.resolve("kafka");
        int first;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0)) {
            first = port(kafka);
            produce(kafka.bootstrapServers(), "kept");
        }
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), first));
            try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0)) {
                assertNotEquals(first, port(kafka));
                assertEquals(List.of("k=v"), consumeAll(kafka.bootstrapServers(), "kept", "g", false, 1));
            }
        }
    }

    @Test
    void explicitPortsAreUsed() throws Exception {
        int kp = Ports.freePort("127.0.0.1");
        int sp = Ports.freePort("127.0.0.1");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("k"), kp);
             EmbeddedS3 s3 = EmbeddedS3.start(dir.resolve("s"), sp, ACCESS, SECRET, "other-bucket")) {
            assertEquals("127.0.0.1:" + kp, kafka.bootstrapServers());
            assertEquals(sp, s3.endpoint().getPort());
            try (S3Client client = s3Client(s3)) {
                assertTrue(client.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("other-bucket")));
                client.putObject(b -> b.bucket("other-bucket").key("a/b.txt"),
                        RequestBody.fromString("hello", StandardCharsets.UTF_8));
                assertEquals("hello", client.getObjectAsBytes(b -> b.bucket("other-bucket").key("a/b.txt"))
                        .asUtf8String());
            }
        }
    }

    private static EmbeddedKafka startKafka(Path dataDir, String what) throws Exception {
        long t0 = System.nanoTime();
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0);
        System.out.printf("%s: embedded Kafka ready in %d ms on %s%n", what, ms(t0), kafka.bootstrapServers());
        return kafka;
    }

    private static EmbeddedS3 startS3(Path dataDir, String what) throws Exception {
        long t0 = System.nanoTime();
        EmbeddedS3 s3 = EmbeddedS3.start(dataDir, 0, ACCESS, SECRET, BUCKET);
        System.out.printf("%s: embedded S3 ready in %d ms on %s%n", what, ms(t0), s3.endpoint());
        return s3;
    }

    private long lapStart = System.nanoTime();

    private void lap(String what) {
        if (what != null) {
            System.out.printf("  %s took %d ms%n", what, ms(lapStart));
        }
        lapStart = System.nanoTime();
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static int port(EmbeddedKafka kafka) {
        String b = kafka.bootstrapServers();
        return Integer.parseInt(b.substring(b.lastIndexOf(':') + 1));
    }

    private static void produce(String bootstrap, String topic) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = producer(bootstrap, null)) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static KafkaProducer<String, String> producer(String bootstrap, String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Reads {@code expected} records from the start of {@code topic} with a fresh consumer group. */
    private static List<String> consumeAll(String bootstrap, String topic, String group, boolean readCommitted,
                                           int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.key() + "=" + r.value()));
            }
        }
        return out;
    }

    private static S3Client s3Client(EmbeddedS3 s3) {
        return S3Client.builder()
                .endpointOverride(s3.endpoint())
                .forcePathStyle(true)
                .region(Region.of(s3.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }
}
