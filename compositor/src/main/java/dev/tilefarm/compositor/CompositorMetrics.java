package dev.tilefarm.compositor;

import dev.tilefarm.schemas.ImageFormat;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The compositor's meters, in Micrometer's global registry (the process that runs the compositor decides
 * where they go): assembly time per output format as a histogram. (The Kafka Streams client metrics are
 * bound at the edge, in {@link Compositor}.)
 */
final class CompositorMetrics {
  private CompositorMetrics() {}

  /** An image was encoded and stored, {@code nanos} after its assembly began. */
  static void assembled(ImageFormat format, long nanos) {
    Timer.builder("tilefarm.assembly.duration")
        .description("time to stream a job's tiles into its output image and store it")
        .tag("format", format.extension())
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(Metrics.globalRegistry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
