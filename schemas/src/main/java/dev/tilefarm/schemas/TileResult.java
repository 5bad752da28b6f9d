package dev.tilefarm.schemas;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a worker reports about a tile, keyed by job id on the tile results topic. Metadata only: the
 * pixels are in object storage at {@code tileUri}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "status")
@JsonSubTypes({
    @JsonSubTypes.Type(value = TileResult.Done.class, name = "DONE"),
    @JsonSubTypes.Type(value = TileResult.Failed.class, name = "FAILED")})
public sealed interface TileResult permits TileResult.Done, TileResult.Failed {
  String jobId();

  TileRect tile();

  int tileCount();

  long acceptedAt();

  /**
   * The tile is stored. {@code channels} is 1 (grey), 3 (RGB) or 4 (RGBA); {@code sha256} is of the stored
   * tile object.
   */
  record Done(String jobId, TileRect tile, int tileCount, int imageWidth, int imageHeight, S3Uri output,
      S3Uri tileUri, int channels, long bytes, String sha256, long renderMs, String worker, long acceptedAt)
      implements TileResult {}

  /** The tile cannot be made; {@code reason} says why. */
  record Failed(String jobId, TileRect tile, int tileCount, String reason, String worker, long acceptedAt)
      implements TileResult {}
}
