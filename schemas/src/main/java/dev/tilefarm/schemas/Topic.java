package dev.tilefarm.schemas;

import org.apache.kafka.common.serialization.Serde;

/** A topic of the farm: its full name and the serdes of its keys and values. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {}
