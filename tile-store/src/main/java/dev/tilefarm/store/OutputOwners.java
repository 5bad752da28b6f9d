package dev.tilefarm.store;

import dev.tilefarm.schemas.S3Uri;

/**
 * Which outputs in the farm's own bucket a job may name. Default outputs are reserved for their job:
 * {@code outputs/ID.png} (and any {@code outputs/ID.EXT}) and everything under {@code outputs/ID/} belong to job
 * {@code ID} alone, so no job can name another's, whatever {@code limits.output-locations} allows. The farm's
 * working folders ({@code tiles/}, {@code jobs/}, {@code logs/}, {@code uploads/}) hold what the roles and the
 * CLI wrote and are no job's output at all. Outputs elsewhere are guarded when they are written: the compositor
 * does not overwrite an object another job wrote (see the compositor's {@code OutputOwnership}).
 */
final class OutputOwners {
  private static final String OUTPUTS = "outputs/";
  /** Where the farm keeps tiles, job specs, renderer logs and uploads ({@link TileKeys}). */
  private static final String[] WORKING = {"tiles/", "jobs/", "logs/", "uploads/"};

  private OutputOwners() {}

  /**
   * Why job {@code jobId} may not write {@code output} (a phrase that follows the URI in a rejection), or null
   * if it may as far as reservations go.
   */
  static String reservedFor(String farmBucket, String jobId, S3Uri output) {
    if (!output.bucket().equals(farmBucket)) {
      return null;
    }
    String key = output.key();
    for (String folder : WORKING) {
      if (key.startsWith(folder)) {
        return "is in the farm's working folder " + folder + " of s3://" + farmBucket + ", which holds no job outputs";
      }
    }
    if (!key.startsWith(OUTPUTS)) {
      return null;
    }
    String rest = key.substring(OUTPUTS.length());
    if (rest.startsWith(jobId + "/")) {
      return null;
    }
    if (rest.startsWith(jobId + ".") && rest.indexOf('.', jobId.length() + 1) < 0 && rest.indexOf('/') < 0) {
      return null;
    }
    int slash = rest.indexOf('/');
    int dot = rest.lastIndexOf('.');
    String owner = slash >= 0 ? rest.substring(0, slash) : dot > 0 ? rest.substring(0, dot) : rest;
    return "is reserved for the default output of job '" + owner + "': under s3://" + farmBucket + "/" + OUTPUTS
        + " a job may write only its own (" + OUTPUTS + jobId + ".png, or " + OUTPUTS + jobId + "/...)";
  }
}
