package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.WorkerStatus;
import dev.tilefarm.store.TileKeys;
import dev.tilefarm.testing.Chromium;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The dashboard in a real headless Chromium, with the test in the roles' place so each step of a job is
 * reached on purpose: the preview fills in tile by tile (checked pixel by pixel on screenshots), the heat
 * map colours tiles by their timings, the finished image replaces the preview, and failed tiles, dead
 * letters and workers with the renderers of their heartbeats are listed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DashboardBrowserIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final int T = 64;
  static final int[] COLOURS = {0xff0000, 0x00c000, 0xffff00, 0x0000ff};
  static final long[] MS = {10, 20, 30, 40};

  @TempDir
  Path dir;

  @Test
  void previewFillsInTileByTileThenShowsTheFinishedImage() throws Exception {
    try (FakeFarm farm = new FakeFarm(dir, null); Chromium chrome = Chromium.start()) {
      farm.rawJob("p1", "{\"id\":\"p1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":128,\"height\":128,"
          + "\"tileSize\":64}");
      S3Uri output = TileKeys.defaultOutput(FakeFarm.BUCKET, "p1");
      farm.event(new JobEvent.Accepted("p1", 1, "render", 4, 2 * T, 2 * T, output));
      farm.awaitBody("/api/jobs/p1", null, "ACCEPTED");

      chrome.driver().get(farm.url("/#/jobs/p1").toString());
      chrome.awaitAttribute("preview", "width", "128", WAIT);

      // Tile 0, then tile 3: each appears where it belongs, the rest stays empty.
      addTile(farm, 0);
      chrome.awaitAttribute("preview", "data-tiles-drawn", "1", WAIT);
      BufferedImage one = chrome.shoot("preview", "progressive-1-tile");
      assertQuadrant(one, 0, COLOURS[0]);
      for (int q : new int[] {1, 2, 3}) {
        assertEmpty(one, q);
      }
      addTile(farm, 3);
      chrome.awaitAttribute("preview", "data-tiles-drawn", "2", WAIT);
      BufferedImage two = chrome.shoot("preview", "progressive-2-tiles");
      assertQuadrant(two, 0, COLOURS[0]);
      assertQuadrant(two, 3, COLOURS[3]);
      assertEmpty(two, 1);
      assertEmpty(two, 2);
      addTile(farm, 1);
      addTile(farm, 2);
      chrome.awaitAttribute("preview", "data-tiles-drawn", "4", WAIT);
      BufferedImage all = chrome.shoot("preview", "progressive-4-tiles");
      for (int q = 0; q < 4; q++) {
        assertQuadrant(all, q, COLOURS[q]);
      }

      // The heat map: fastest tile blue, slowest red.
      chrome.driver().findElement(By.cssSelector("input[name=view][value=heat]")).click();
      BufferedImage heat = chrome.shoot("heat", "heat-map");
      int fast = heat.getRGB(T / 2, T / 2);
      int slow = heat.getRGB(T + T / 2, T + T / 2);
      assertTrue((fast & 0xff) > 200 && (fast >> 16 & 0xff) < 60, "fastest tile is blue: " + Integer.toHexString(fast));
      assertTrue((slow >> 16 & 0xff) > 200 && (slow & 0xff) < 60, "slowest tile is red: " + Integer.toHexString(slow));
      chrome.driver().findElement(By.cssSelector("input[name=view][value=image]")).click();

      // Cancel, as the API takes it without a token: JSON from the dashboard's own origin.
      chrome.driver().findElement(By.id("job-cancel")).click();
      chrome.waiting(WAIT).until(d -> !d.findElement(By.id("job-cancel")).isEnabled());
      assertTrue(farm.jobRecords().stream().anyMatch(r -> "p1".equals(r.key()) && r.value().contains("\"cancel\"")),
          "the cancel request is on the jobs topic");

      // The finished image (different from the tiles, so it is seen to replace them).
      BufferedImage finished = gradient(2 * T, 2 * T);
      byte[] png = png(finished);
      farm.blobs.put(output, png, "image/png");
      farm.event(new JobEvent.Completed("p1", 9, output, "png", HttpApiIT.sha256(png), png.length, 2 * T, 2 * T, 4,
          new JobEvent.Timings(100, 100, 5)));
      chrome.awaitAttribute("preview", "data-final", "true", WAIT);
      chrome.awaitAttribute("preview", "data-status", "COMPLETED", WAIT);
      assertSameImage(finished, chrome.shoot("preview", "finished"));
      chrome.savePage("job-view");

      // The jobs list shows it done, and the farm's failures are listed.
      farm.result(new TileResult.Failed("f1", new TileRect(2, 0, 0, 8, 8), 4, "renderer error: out of cheese",
          "worker-b", 1));
      farm.deadLetter(new DeadLetter("tilefarm.jobs", 0, 3, null,
          Base64.getEncoder().encodeToString("{broken".getBytes(StandardCharsets.UTF_8)), "not valid JSON",
          "tile-splitter", 2));
      chrome.driver().get(farm.url("/#/").toString());
      chrome.waiting(WAIT).until(d -> d.findElement(By.cssSelector("#jobs tr[data-job=p1]"))
          .getAttribute("data-status").equals("COMPLETED"));
      chrome.waiting(WAIT).until(d -> d.findElement(By.id("failed-tiles")).getText().contains("out of cheese"));
      // A povray tile that failed links to the renderer log its worker kept; the other failed tile has none.
      S3Uri povLog = TileKeys.tileLog(FakeFarm.BUCKET, "f2", 1);
      farm.blobs.put(povLog, "Parse Error: no camera\n".getBytes(StandardCharsets.UTF_8), "text/plain");
      farm.result(new TileResult.Failed("f2", new TileRect(1, 0, 0, 8, 8), 4, "povray: parse error", "worker-b", 1,
          povLog));
      chrome.waiting(WAIT).until(d -> d.findElement(By.id("failed-tiles")).getText().contains("povray: parse error"));
      var links = chrome.driver().findElements(By.cssSelector("#failed-tiles a.log-link"));
      assertEquals(1, links.size(), "only the tile with a log links to one");
      assertTrue(links.get(0).getAttribute("href").endsWith("/api/jobs/f2/logs?tile=1"),
          links.get(0).getAttribute("href"));
      assertEquals("Parse Error: no camera\n", farm.get("/api/jobs/f2/logs?tile=1", null).body());
      chrome.waiting(WAIT).until(d -> d.findElement(By.id("dead-letters")).getText().contains("{broken"));
      chrome.waiting(WAIT).until(d -> d.findElement(By.id("workers")).getText().contains("worker-a"));
      // Its heartbeat tells the renderers it has.
      farm.heartbeat("worker-a", new WorkerStatus("worker-a", List.of("mandelbrot", "builtin", "povray"), 4,
          System.currentTimeMillis()));
      chrome.waiting(WAIT).until(d -> d.findElement(By.cssSelector("#workers tr[data-worker=worker-a] td.renderers"))
          .getText().equals("mandelbrot, builtin, povray"));
      assertEquals("1", chrome.driver().findElement(By.id("h-workers")).getText(), "one live worker");
      assertEquals("100%", chrome.driver().findElement(By.cssSelector("#jobs tr[data-job=p1] .bar > div"))
          .getAttribute("style").replaceAll(".*width: *([0-9]+%).*", "$1"));
      chrome.savePage("jobs-list");
    }
  }

  /**
   * Before, the job list had no filter, workers that left stayed listed for good, and an image wider than the
   * page overflowed it.
   */
  @Test
  void jobListFiltersGoneWorkersLeaveAndLargeImagesFitThePage() throws Exception {
    try (FakeFarm farm = new FakeFarm(dir, null); Chromium chrome = Chromium.start()) {
      long now = System.currentTimeMillis();
      farm.rawJob("fl-sub", "{\"id\":\"fl-sub\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":8,\"height\":8}");
      // A retry (attempt 2) at priority 80, paused: the row shows all three.
      farm.event(new JobEvent.Accepted("fl-acc", now, "render", 1, 8, 8, TileKeys.defaultOutput(FakeFarm.BUCKET, "fl-acc"),
          80, 2));
      farm.event(new JobEvent.Paused("fl-acc", now + 1));
      farm.event(new JobEvent.Rejected("fl-rej", now, "width", "rejected for the test"));
      farm.heartbeat("w-now", new WorkerStatus("w-now", List.of("mandelbrot"), 1, now));
      farm.heartbeat("w-recent", new WorkerStatus("w-recent", List.of("mandelbrot"), 1, now - 2 * 60_000));
      farm.heartbeat("w-left", new WorkerStatus("w-left", List.of("mandelbrot"), 1, now - 6 * 60_000));
      farm.awaitBody("/api/workers", null, "\"w-recent\"");

      chrome.driver().get(farm.url("/#/").toString());
      chrome.waiting(WAIT).until(d -> shownJobs(chrome).containsAll(List.of("fl-sub", "fl-acc", "fl-rej")));
      new org.openqa.selenium.support.ui.Select(chrome.driver().findElement(By.id("jobs-status")))
          .selectByValue("REJECTED");
      chrome.waiting(WAIT).until(d -> shownJobs(chrome).equals(List.of("fl-rej")));
      new org.openqa.selenium.support.ui.Select(chrome.driver().findElement(By.id("jobs-status"))).selectByValue("active");
      chrome.waiting(WAIT).until(d -> shownJobs(chrome).size() == 2 && !shownJobs(chrome).contains("fl-rej"));
      new org.openqa.selenium.support.ui.Select(chrome.driver().findElement(By.id("jobs-status"))).selectByValue("");
      chrome.driver().findElement(By.id("jobs-search")).sendKeys("acc");
      chrome.waiting(WAIT).until(d -> shownJobs(chrome).equals(List.of("fl-acc")));
      assertEquals("1 of 3 jobs", chrome.driver().findElement(By.id("jobs-count")).getText());
      chrome.waiting(WAIT).until(d -> d.findElement(By.cssSelector("#jobs tr[data-job=fl-acc]"))
          .getAttribute("data-status").equals("PAUSED"));
      assertEquals("80", chrome.driver().findElement(By.cssSelector("#jobs tr[data-job=fl-acc] td.priority")).getText());
      assertTrue(chrome.driver().findElement(By.cssSelector("#jobs tr[data-job=fl-acc]")).getText()
          .contains("PAUSED (attempt 2)"), "the row shows the pause and the attempt");

      // Workers: one live, one stale for two minutes (listed), one silent for six (gone for good: not listed).
      chrome.waiting(WAIT).until(d -> d.findElement(By.id("workers")).getText().contains("w-recent"));
      String workers = chrome.driver().findElement(By.id("workers")).getText();
      assertTrue(workers.contains("w-now"), workers);
      assertTrue(!workers.contains("w-left"), "a worker last seen six minutes ago is not listed: " + workers);

      // An image larger than the window both ways fits the page, keeping its shape; a click shows it full size.
      int w = 2400;
      int h = 3200;
      S3Uri output = TileKeys.defaultOutput(FakeFarm.BUCKET, "fl-big");
      byte[] png = png(gradient(w, h));
      farm.blobs.put(output, png, "image/png");
      farm.event(new JobEvent.Accepted("fl-big", now, "render", 1, w, h, output));
      farm.event(new JobEvent.Completed("fl-big", now + 1, output, "png", HttpApiIT.sha256(png), png.length, w, h, 1,
          new JobEvent.Timings(1, 1, 1)));
      farm.awaitBody("/api/jobs/fl-big", null, "COMPLETED");
      chrome.driver().get(farm.url("/#/jobs/fl-big").toString());
      chrome.awaitAttribute("preview", "data-final", "true", WAIT);
      List<?> fit = (List<?>) chrome.driver().executeScript("const r = document.getElementById('preview')"
          + ".getBoundingClientRect(); return [r.width, r.height, document.documentElement.clientWidth, "
          + "window.innerHeight];");
      double width = ((Number) fit.get(0)).doubleValue();
      double height = ((Number) fit.get(1)).doubleValue();
      double pageWidth = ((Number) fit.get(2)).doubleValue();
      double pageHeight = ((Number) fit.get(3)).doubleValue();
      assertTrue(width <= pageWidth && height <= pageHeight && height > pageHeight / 2,
          "the image is " + width + "x" + height + " px on a " + pageWidth + "x" + pageHeight + " px page");
      assertEquals((double) w / h, width / height, 0.02, "scaled, not stretched: " + width + "x" + height);
      chrome.savePage("large-image-fitted");
      chrome.driver().findElement(By.id("preview")).click();
      chrome.waiting(WAIT).until(d -> ((Number) chrome.driver().executeScript(
          "return document.getElementById('preview').getBoundingClientRect().height")).intValue() == h);
    }
  }

  /** The ids of the rows the job list shows, top to bottom. */
  private static List<String> shownJobs(Chromium chrome) {
    return chrome.driver().findElements(By.cssSelector("#jobs tbody tr")).stream()
        .map(e -> e.getAttribute("data-job")).toList();
  }

  private static void addTile(FakeFarm farm, int q) throws Exception {
    farm.tile("p1", new TileRect(q, (q % 2) * T, (q / 2) * T, T, T), 4, 2 * T, 2 * T, COLOURS[q], MS[q]);
  }

  /** Every pixel of quadrant {@code q} (0 1 / 2 3) is {@code rgb}. */
  private static void assertQuadrant(BufferedImage shot, int q, int rgb) {
    assertEquals(2 * T, shot.getWidth(), "the preview is shown at one screen pixel per image pixel");
    int x0 = (q % 2) * T;
    int y0 = (q / 2) * T;
    for (int y = y0; y < y0 + T; y++) {
      for (int x = x0; x < x0 + T; x++) {
        int got = shot.getRGB(x, y) & 0xffffff;
        assertTrue(close(got, rgb), "pixel " + x + "," + y + " of tile " + q + " is " + Integer.toHexString(got)
            + ", expected " + Integer.toHexString(rgb));
      }
    }
  }

  /** Quadrant {@code q} shows only the page's checkerboard: no tile colour has been drawn there. */
  private static void assertEmpty(BufferedImage shot, int q) {
    int x0 = (q % 2) * T;
    int y0 = (q / 2) * T;
    for (int y = y0; y < y0 + T; y += 3) {
      for (int x = x0; x < x0 + T; x += 3) {
        int got = shot.getRGB(x, y) & 0xffffff;
        assertTrue(close(got, 0xffffff) || close(got, 0xe9ebef), "pixel " + x + "," + y + " of the empty tile " + q
            + " is " + Integer.toHexString(got));
      }
    }
  }

  private static void assertSameImage(BufferedImage expected, BufferedImage shot) {
    assertEquals(expected.getWidth(), shot.getWidth());
    assertEquals(expected.getHeight(), shot.getHeight());
    for (int y = 0; y < expected.getHeight(); y++) {
      for (int x = 0; x < expected.getWidth(); x++) {
        int e = expected.getRGB(x, y) & 0xffffff;
        int g = shot.getRGB(x, y) & 0xffffff;
        assertTrue(close(e, g), "pixel " + x + "," + y + " is " + Integer.toHexString(g) + ", expected "
            + Integer.toHexString(e));
      }
    }
  }

  /** Within 2 levels per channel: the browser's colour pipeline may round. */
  static boolean close(int a, int b) {
    for (int s = 0; s <= 16; s += 8) {
      if (Math.abs((a >> s & 0xff) - (b >> s & 0xff)) > 2) {
        return false;
      }
    }
    return true;
  }

  private static BufferedImage gradient(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x * 2) << 16 | (y * 2) << 8 | 0x80);
      }
    }
    return img;
  }

  private static byte[] png(BufferedImage img) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
