package dev.tilefarm.compositor;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compositor's {@code production.exception.handler}: a record the producer refuses for its size (or cannot
 * serialize) is logged and skipped rather than failing the stream thread, which would be replaced and fail on
 * the same input record for ever. Dead letters never get here (see {@code DeadLetters}); anything else the
 * producer reports fails as before.
 */
public final class OversizeRecords implements ProductionExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(OversizeRecords.class);

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception e) {
    if (e instanceof RecordTooLargeException) {
      log.error("skipped a record to {} that the producer refuses for its size, made from {}-{}@{}: {}",
          record.topic(), context.topic(), context.partition(), context.offset(), e.getMessage());
      return Response.resume();
    }
    return Response.fail();
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception e,
      SerializationExceptionOrigin origin) {
    log.error("skipped a record to {} that could not be serialized, made from {}-{}@{}", record.topic(),
        context.topic(), context.partition(), context.offset(), e);
    return Response.resume();
  }

  @Override
  public void configure(Map<String, ?> configs) {}
}
