package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {
  private static final List<Class<?>> MESSAGES = List.of(JobEvent.class, JobControl.class, TileResult.class,
      TileTask.class, WorkerStatus.class, DeadLetter.class);

  /**
   * The JSON literal null is valid JSON that Jackson reads as no object: a decoder that passed it on handed
   * every consumer of the topic a null (the compositor, `tilefarm status` and the API's workers list failed on
   * it with a NullPointerException). It is a record that is not a message, like any other.
   */
  @Test
  void theJsonLiteralNullIsNoMessage() {
    for (Class<?> type : MESSAGES) {
      for (String json : List.of("null", " null\n")) {
        JsonSerde<?> serde = new JsonSerde<>(type);
        UndecodableException e = assertThrows(UndecodableException.class,
            () -> serde.decode(json.getBytes(StandardCharsets.UTF_8)), type.getSimpleName() + " from " + json);
        assertEquals("not a valid " + type.getSimpleName() + ": the value is JSON null, not an object",
            e.getMessage());
        assertThrows(UndecodableException.class,
            () -> serde.deserializer().deserialize("t", json.getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  @Test
  void aRecordWithNoValueIsATombstoneForTheDeserializerAndNoMessageForDecode() {
    JsonSerde<WorkerStatus> serde = new JsonSerde<>(WorkerStatus.class);
    assertNull(serde.deserializer().deserialize("t", null));
    UndecodableException e = assertThrows(UndecodableException.class, () -> serde.decode(null));
    assertTrue(e.getMessage().contains("no value"), e.getMessage());
  }
}
