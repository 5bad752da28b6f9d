package dev.tilefarm.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver. A test that needs it is skipped, saying
 * why, where either is not installed ({@code apt-get install chromium chromium-driver}; CI installs both).
 */
public final class Chromium implements AutoCloseable {
  public static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
  public static final String DRIVER = "/usr/bin/chromedriver";

  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts it, or skips the calling test (a JUnit assumption) where Chromium or its driver is not installed. */
  public static Chromium start() throws IOException {
    String browser = BROWSERS.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    Assumptions.assumeTrue(browser != null && Files.isExecutable(Path.of(DRIVER)),
        "skipping the browser test: Chromium (" + BROWSERS + ") and chromedriver (" + DRIVER + ") are not both "
            + "installed; apt-get install chromium chromium-driver");
    Path profile = Files.createTempDirectory("tilefarm-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser);
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1400,1100",
        "--force-device-scale-factor=1", "--force-color-profile=srgb");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
        .usingAnyFreePort().build();
    return new Chromium(new ChromeDriver(service, options), profile);
  }

  public WebDriverWait waiting(Duration timeout) {
    // The dashboard redraws its tables as events come in: an element read between two draws is stale, not wrong.
    return (WebDriverWait) new WebDriverWait(driver, timeout, Duration.ofMillis(50))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  /** Waits until the element's attribute has the value. */
  public void awaitAttribute(String id, String attribute, String value, Duration timeout) {
    waiting(timeout).withMessage(() -> "#" + id + "[" + attribute + "] is '"
            + driver.findElement(By.id(id)).getAttribute(attribute) + "', expected '" + value + "'")
        .until(d -> value.equals(d.findElement(By.id(id)).getAttribute(attribute)));
  }

  /** A screenshot of one element, at one CSS pixel per image pixel; also saved under {@code target/screenshots}. */
  public BufferedImage shoot(String id, String name) throws IOException {
    WebElement e = driver.findElement(By.id(id));
    byte[] png = e.getScreenshotAs(OutputType.BYTES);
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.write(dir.resolve(name + ".png"), png);
    return ImageIO.read(new ByteArrayInputStream(png));
  }

  /** The whole page, saved for people to look at. */
  public void savePage(String name) throws IOException {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.write(dir.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  /** The driver, for what the helpers here do not cover. */
  public ChromeDriver driver() {
    return driver;
  }
}
