package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tilefarm.store.BlobStoreException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamsErrorPolicyTest {
  private final List<Throwable> seen = new ArrayList<>();
  private final StreamsErrorPolicy policy = new StreamsErrorPolicy(seen::add);

  @Test
  void failuresThatMayPassReplaceTheThread() {
    Throwable storage = new StreamsException("processing", new StorageUnavailableException("S3 503", null));
    assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(storage));
    assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD,
        policy.handle(new StreamsException(new TimeoutException("broker"))));
    assertSame(storage, seen.get(0));
  }

  @Test
  void aTransientBlobStoreFaultFromAnyReadMayPassAPermanentOneMayNot() {
    // A 500 from S3 while the pass coordinator reads a pass's statistics reaches the policy unwrapped.
    assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(new StreamsException("processing",
        new BlobStoreException("reading s3://b/stats/j/1/0.json: 500 InternalError", true, null))));
    assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, policy.handle(new StreamsException("processing",
        new BlobStoreException("reading s3://b/stats/j/1/0.json: 403 AccessDenied", false, null))));
  }

  @Test
  void anythingElseShutsTheClientDown() {
    assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
        policy.handle(new StreamsException("processing", new NullPointerException())));
    assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, policy.handle(new IllegalStateException("corrupt state")));
  }
}
