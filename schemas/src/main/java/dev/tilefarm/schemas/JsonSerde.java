package dev.tilefarm.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON for one message type. The deserializer throws {@link UndecodableException} on bytes that are not a
 * valid message (the JSON literal {@code null} among them), so an edge can send them to the dead-letter topic;
 * it gives null only for a record with no value at all (a tombstone).
 */
public final class JsonSerde<T> implements Serde<T> {
  private final Class<T> type;

  public JsonSerde(Class<T> type) {
    this.type = type;
  }

  public byte[] encode(T value) {
    try {
      return Json.MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding " + type.getSimpleName(), e);
    }
  }

  public T decode(byte[] bytes) {
    if (bytes == null) {
      throw new UndecodableException("the record has no value", null);
    }
    T value;
    try {
      value = Json.MAPPER.readValue(bytes, type);
    } catch (IOException | RuntimeException e) {
      String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      throw new UndecodableException("not a valid " + type.getSimpleName() + ": " + msg, e);
    }
    // Jackson reads the JSON literal null (and a value of only whitespace) as no object at all; every caller
    // would then fail on a null it was promised never to get.
    if (value == null) {
      throw new UndecodableException("not a valid " + type.getSimpleName() + ": the value is JSON null, not an object",
          null);
    }
    return value;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : encode(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }
}
