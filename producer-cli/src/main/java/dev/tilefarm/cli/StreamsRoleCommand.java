package dev.tilefarm.cli;

import dev.tilefarm.store.BlobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * A command that runs a Kafka Streams role ({@code splitter}, {@code compositor}): the role keeps its state under
 * DATA_DIR/NAME-state, and is run once its Streams client runs ({@link RoleProcess#runWhenRunning}). A subclass
 * says how its role starts, is waited for, and tells its failure.
 */
abstract class StreamsRoleCommand<R extends AutoCloseable> extends RoleCommand {
  /** Starts the role with its state under {@code state}. */
  interface Start<R> {
    R start(Settings settings, BlobStore blobs, Path state) throws Exception;
  }

  /** Waits, up to {@code timeout}, for the role's Streams client to run. */
  interface AwaitRunning<R> {
    void awaitRunning(R role, Duration timeout) throws Exception;
  }

  private final Start<R> start;
  private final AwaitRunning<R> awaitRunning;
  private final Function<R, String> failure;

  StreamsRoleCommand(Start<R> start, AwaitRunning<R> awaitRunning, Function<R, String> failure) {
    this.start = start;
    this.awaitRunning = awaitRunning;
    this.failure = failure;
  }

  @Override
  final void run(Settings settings, Farm farm) throws Exception {
    String role = spec.name();
    R started = start.start(settings, farm.blobs(), settings.dataDir().resolve(role + "-state"));
    RoleProcess.runWhenRunning(started, timeout -> awaitRunning.awaitRunning(started, timeout),
        role + " on " + settings.bootstrapServers(), () -> failure.apply(started));
  }
}
