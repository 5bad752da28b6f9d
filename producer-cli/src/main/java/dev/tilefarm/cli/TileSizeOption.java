package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/** The {@code --tile} of a command that builds a job ({@code render}, {@code process}): the job's tile side. */
final class TileSizeOption {
  @Option(names = "--tile", paramLabel = "N", description = "tile side in pixels")
  Integer side;

  /** Sets the job's {@code tileSize}, if {@code --tile} is given. */
  void applyTo(ObjectNode job) {
    if (side != null) {
      job.put("tileSize", side);
    }
  }
}
