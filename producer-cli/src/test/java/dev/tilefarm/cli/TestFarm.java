package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** An embedded farm for integration tests: real broker, real S3 server, every role, in this JVM. */
final class TestFarm implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofMinutes(3);
  final Farm farm;

  private TestFarm(Farm farm) {
    this.farm = farm;
  }

  static TestFarm start(Path dir, int workers) throws Exception {
    return start(dir, workers, Map.of());
  }

  /** With more settings, by key (as in tilefarm.properties). */
  static TestFarm start(Path dir, int workers, Map<String, String> more) throws Exception {
    Map<String, String> flags = new HashMap<>(more);
    flags.put("data.dir", dir.toString());
    flags.put("topic.partitions", "3");
    Settings settings = Settings.load(flags, Map.of(), null);
    return new TestFarm(Farm.startEmbedded(settings, workers, true, 0, 0, new Progress(System.err, false, true)));
  }

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Submits jobs and waits for their ends. */
  Map<String, JobEvent> run(ObjectNode... jobs) throws Exception {
    return JobRunner.run(farm, List.of(jobs), TIMEOUT, new Progress(System.err, false, true));
  }

  JobEvent runOne(ObjectNode job) throws Exception {
    return run(job).values().iterator().next();
  }

  BufferedImage image(JobEvent.Completed c) throws IOException {
    return ImageIO.read(new ByteArrayInputStream(farm.blobs().get(c.output())));
  }

  @Override
  public void close() {
    farm.close();
  }
}
