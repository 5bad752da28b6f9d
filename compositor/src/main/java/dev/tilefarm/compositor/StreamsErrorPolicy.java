package dev.tilefarm.compositor;

import dev.tilefarm.store.BlobStoreException;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stream thread's failure does to the compositor.
 *
 * <p>A failure that may pass — object storage unavailable ({@link StorageUnavailableException}) or a
 * retriable Kafka error — replaces the thread. Under exactly-once processing that is how a record is
 * retried without losing or doubling anything: the dying thread's open transaction (its events, state
 * changelog writes and consumer offsets) is never committed, its tasks' local state is rebuilt from the
 * committed changelog, and the new thread resumes from the last committed offsets, so the record that
 * failed — and any processed since the last commit — is processed again from the state as it was. The
 * COMPLETED event and the job's ended marker are written in the same transaction, so a second COMPLETED
 * cannot come out of a retry. A retry may overwrite the job's output object, with identical bytes: the
 * encoders are deterministic.
 *
 * <p>Anything else is a bug or a misconfiguration that replaying the same records would only repeat, so
 * the client shuts down (bad records never get here: they go to the dead-letter topic or fail their job).
 */
final class StreamsErrorPolicy implements StreamsUncaughtExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(StreamsErrorPolicy.class);
  private final Consumer<Throwable> onError;

  StreamsErrorPolicy(Consumer<Throwable> onError) {
    this.onError = onError;
  }

  @Override
  public StreamThreadExceptionResponse handle(Throwable e) {
    onError.accept(e);
    if (retriable(e)) {
      log.warn("replacing the stream thread after a failure that may pass; its transaction is aborted and "
          + "the records since the last commit are processed again: {}", e.toString(), e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    log.error("shutting the compositor down after an unexpected failure", e);
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  static boolean retriable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // A transient fault of object storage straight from the blob store (a read of a pass's statistics or a
      // job's spec, say) counts as much as one the compositor wrapped: found by the cluster lab, where a 500
      // from S3 during pass coordination got a tile result dead-lettered and its job never ended.
      if (t instanceof StorageUnavailableException || t instanceof RetriableException
          || t instanceof BlobStoreException b && b.transientFault()) {
        return true;
      }
    }
    return false;
  }
}
