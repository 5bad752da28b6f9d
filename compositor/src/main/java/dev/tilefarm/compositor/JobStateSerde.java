package dev.tilefarm.compositor;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** {@link JobStateCodec} for the state store and its changelog. */
final class JobStateSerde implements Serde<JobState> {
  @Override
  public Serializer<JobState> serializer() {
    return (topic, state) -> state == null ? null : JobStateCodec.encode(state);
  }

  @Override
  public Deserializer<JobState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : JobStateCodec.decode(bytes);
  }
}
