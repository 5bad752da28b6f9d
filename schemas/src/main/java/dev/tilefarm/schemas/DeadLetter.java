package dev.tilefarm.schemas;

/**
 * A record no role could decode, kept whole on the dead-letter topic: where it came from, its key and
 * value (base64, so any bytes survive), which role gave up on it and why.
 */
public record DeadLetter(String sourceTopic, int partition, long offset, String keyBase64, String valueBase64,
    String error, String role, long timestamp) {}
