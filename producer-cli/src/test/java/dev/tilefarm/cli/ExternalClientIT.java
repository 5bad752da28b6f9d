package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.FileReader;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An outside system's view of a running farm: it knows only what {@code tilefarm up} prints, publishes a
 * job as plain JSON text with a generic Kafka producer, follows the events topic as plain JSON, and reads
 * the image with an ordinary S3 client.
 */
class ExternalClientIT {
  @TempDir
  Path dir;

  @Test
  void plainJsonJobCompletesAndItsImageIsReadableWithAnS3Client() throws Exception {
    try (TestFarm farm = TestFarm.start(dir, 1)) {
      farm.farm.advertise();
      Properties up = new Properties();
      try (FileReader r = new FileReader(dir.resolve(Farm.RUNNING_FILE).toFile())) {
        up.load(r);
      }
      String bootstrap = up.getProperty("bootstrap.servers");

      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("tilefarm.jobs", "outside-1",
            "{\"id\":\"outside-1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":200,\"height\":150}")).get();
      }

      ObjectMapper json = new ObjectMapper();
      JsonNode completed = null;
      Properties cp = new Properties();
      cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      cp.put(ConsumerConfig.GROUP_ID_CONFIG, "outside-dashboard");
      cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of("tilefarm.job-events"));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (completed == null && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            JsonNode event = json.readTree(r.value());
            assertEquals(r.key(), event.get("jobId").asText(), "events are keyed by job id");
            if ("outside-1".equals(r.key()) && "COMPLETED".equals(event.get("status").asText())) {
              completed = event;
            }
          }
        }
      }
      assertNotNull(completed, "no COMPLETED event for outside-1");

      URI output = URI.create(completed.get("output").asText());
      try (S3Client s3 = S3Client.builder()
          .endpointOverride(URI.create(up.getProperty("s3.endpoint")))
          .region(Region.US_EAST_1)
          .forcePathStyle(true)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
              up.getProperty("s3.access-key"), up.getProperty("s3.secret-key"))))
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
          .build()) {
        byte[] png = s3.getObjectAsBytes(b -> b.bucket(output.getHost()).key(output.getPath().substring(1))).asByteArray();
        assertEquals(completed.get("sha256").asText(),
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png)));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(200, image.getWidth());
        assertEquals(150, image.getHeight());
        assertTrue(completed.get("timings").get("total").asLong() >= 0);
      }
    }
  }
}
