package dev.tilefarm.compositor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The run of a job the compositor is on, or the last one that ended FAILED or CANCELLED, with what that run keeps
 * for a retry (see {@link RetryKeeper}); kept in the job-runs store. A job that never failed and was never retried
 * has none.
 *
 * @param attempt the run (1, or from 2 on a retry)
 * @param acceptedAt the run's acceptance (its tasks and their results carry it)
 * @param outcome null while the run is under way; FAILED or CANCELLED once it ended
 * @param endedAt when it ended (0 while under way)
 * @param kept the ended run's tiles, kept for a retry (a {@link JobProgress}), or null: none kept
 */
record JobRun(int attempt, long acceptedAt, JobEnded.Outcome outcome, long endedAt, JobProgress kept) {
  private static final byte FORMAT = 1;

  static byte[] encode(JobRun run) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      out.writeInt(run.attempt);
      out.writeLong(run.acceptedAt);
      out.writeByte(run.outcome == null ? -1 : run.outcome.ordinal());
      out.writeLong(run.endedAt);
      byte[] kept = run.kept == null ? new byte[0] : JobStateCodec.encode(run.kept);
      out.writeInt(kept.length);
      out.write(kept);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JobRun decode(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalStateException("a job run of unknown format " + format);
      }
      int attempt = in.readInt();
      long acceptedAt = in.readLong();
      int outcome = in.readByte();
      long endedAt = in.readLong();
      byte[] kept = new byte[in.readInt()];
      in.readFully(kept);
      return new JobRun(attempt, acceptedAt, outcome < 0 ? null : JobEnded.Outcome.values()[outcome], endedAt,
          kept.length == 0 ? null : (JobProgress) JobStateCodec.decode(kept));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
