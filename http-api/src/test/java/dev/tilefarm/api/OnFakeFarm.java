package dev.tilefarm.api;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test class whose tests share one {@link FakeFarm} (no API token): started before the first test in a
 * temporary directory, closed after the last.
 */
abstract class OnFakeFarm {
  @TempDir
  static Path dir;
  static FakeFarm farm;

  @BeforeAll
  static void startFarm() throws Exception {
    farm = new FakeFarm(dir, null);
  }

  @AfterAll
  static void stopFarm() throws Exception {
    if (farm != null) {
      farm.close();
      farm = null;
    }
  }
}
