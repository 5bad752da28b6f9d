package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.api.HttpApi;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.testing.Chromium;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The whole farm as {@code tilefarm up} runs it (broker, S3, every role and the HTTP API in this JVM), a
 * job submitted through the dashboard in a real headless Chromium and followed to its finished image,
 * which must match the stored output pixel for pixel; then the process's Prometheus metrics are scraped.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DashboardIT {
  static final Duration WAIT = Duration.ofMinutes(3);
  static final String JOB = "{\"type\": \"render\", \"renderer\": \"mandelbrot\", \"width\": 192, \"height\": 128, "
      + "\"tileSize\": 32, \"scene\": {\"center\": [-0.7435, 0.1314], \"zoom\": 60, \"iterations\": 400}}";

  @TempDir
  Path dir;

  @Test
  void aJobSubmittedOnTheDashboardEndsAsTheFinishedImageAndTheRolesAreMeasured() throws Exception {
    Map<String, String> flags = new HashMap<>();
    flags.put("data.dir", dir.toString());
    flags.put("topic.partitions", "3");
    flags.put("http.port", "0");
    Settings settings = Settings.load(flags, Map.of(), null);
    try (Farm farm = Farm.startEmbedded(settings, 1, true, 0, 0, new Progress(System.err, false, true));
         HttpApi api = farm.startApi();
         Chromium chrome = Chromium.start()) {
      chrome.driver().get(api.uri().toString());
      var textarea = chrome.driver().findElement(By.id("job-json"));
      ((JavascriptExecutor) chrome.driver()).executeScript("arguments[0].value = arguments[1];", textarea, JOB);
      chrome.driver().findElement(By.id("submit-job")).click();
      chrome.waiting(Duration.ofSeconds(60)).until(d -> d.getCurrentUrl().contains("#/jobs/"));
      String id = chrome.driver().getCurrentUrl().replaceAll(".*#/jobs/", "");
      chrome.awaitAttribute("preview", "data-status", "COMPLETED", WAIT);
      chrome.awaitAttribute("preview", "data-final", "true", WAIT);
      BufferedImage shown = chrome.shoot("preview", "e2e-finished");
      chrome.savePage("e2e-job-view");

      HttpClient http = HttpClient.newHttpClient();
      JsonNode job = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(api.uri().resolve("/api/jobs/" + id))
          .build(), HttpResponse.BodyHandlers.ofString()).body());
      assertEquals("COMPLETED", job.at("/job/status").asText());
      BufferedImage stored = ImageIO.read(new ByteArrayInputStream(
          farm.blobs().get(S3Uri.parse(job.at("/job/output").asText()))));
      assertEquals(stored.getWidth(), shown.getWidth(), "shown at one screen pixel per image pixel");
      assertEquals(stored.getHeight(), shown.getHeight());
      int differing = 0;
      for (int y = 0; y < stored.getHeight(); y++) {
        for (int x = 0; x < stored.getWidth(); x++) {
          if (!close(stored.getRGB(x, y), shown.getRGB(x, y))) {
            differing++;
          }
        }
      }
      assertEquals(0, differing, "pixels of the dashboard's image that differ from the stored output");
      assertTrue(distinctColours(shown) > 16, "a real render, not a blank canvas");

      // Metrics of every role in this process, as Prometheus scrapes them.
      String metrics = http.send(HttpRequest.newBuilder(api.uri().resolve("/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      java.nio.file.Files.writeString(Path.of("target", "screenshots", "metrics.txt"), metrics);
      int tiles = job.at("/job/tiles").asInt();
      assertTrue(sum(metrics, "tilefarm_tiles_rendered_total", "renderer=\"mandelbrot\"") >= tiles, metrics);
      assertTrue(sum(metrics, "tilefarm_tile_duration_seconds_count", "renderer=\"mandelbrot\"") >= tiles);
      assertTrue(metrics.contains("tilefarm_tile_duration_seconds_bucket{"), "tile durations are a histogram");
      assertTrue(sum(metrics, "tilefarm_assembly_duration_seconds_count", "format=\"png\"") >= 1);
      assertTrue(metrics.contains("tilefarm_backlog_records{"), "backlog per topic and group");
      assertTrue(metrics.contains("\nkafka_producer_"), "producer client metrics");
      assertTrue(metrics.contains("\nkafka_stream_"), "Kafka Streams metrics of the splitter and compositor");
      assertTrue(metrics.contains("\nkafka_consumer_share_"), "share consumer metrics of the workers");
      assertTrue(metrics.contains("\njvm_memory_used_bytes"), "JVM metrics");
      for (String name : DeploymentFilesTest.grafanaMetricNames()) {
        assertTrue(metrics.contains("\n" + name + "{"), "the Grafana dashboard queries " + name
            + ", which this process does not export");
      }
    }
  }

  /** The sum of a metric's samples whose labels contain {@code labelText}. */
  static double sum(String metrics, String name, String labelText) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)} ([0-9.eE+-]+)$").matcher(metrics);
    double total = 0;
    while (m.find()) {
      if (m.group(1).contains(labelText)) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  static boolean close(int a, int b) {
    for (int s = 0; s <= 16; s += 8) {
      if (Math.abs((a >> s & 0xff) - (b >> s & 0xff)) > 2) {
        return false;
      }
    }
    return true;
  }

  static long distinctColours(BufferedImage img) {
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        seen.add(img.getRGB(x, y));
      }
    }
    return seen.size();
  }
}
