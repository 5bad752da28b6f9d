package dev.tilefarm.compositor;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * The binary form of a {@link JobState} in the compositor's store and its changelog. Binary rather than
 * JSON because the value is rewritten for every tile result: a 10,000-tile job's done bits are 1.25 KB
 * here and would be several times that as JSON text.
 *
 * <p>Layout (big-endian, strings as {@link DataOutputStream#writeUTF}): a format byte ({@value #FORMAT}), a
 * kind byte, then for {@link JobEnded}: outcome byte, endedAt long; for {@link JobProgress}: tileCount,
 * width, height (ints), channels (byte), output (string), acceptedAt, firstSeenAt, renderMs,
 * lastProgressAt (longs), doneCount (int), done bits (int word count, then longs), gridWidth, gridHeight
 * (ints), URI pattern (boolean present, then prefix and suffix strings), listed rectangles (int count, then
 * index, x, y, width, height ints each), listed URIs (int count, then index int and string each), then
 * (format 2) deadline and lastTileAt (longs), then (format 3) frameTiles (int) and frameBytes (long), then
 * (format 4) reported (double), then (format 5) packTiles (int), then (format 6) the frame numbers of an
 * animation waiting for its plan (int count, then frame index and number ints each); the output is "" while
 * the plan is not in; for {@link JobPlanned} (format 2): tileCount, width, height (ints), output
 * (string), acceptedAt, deadline (longs), then (format 4) lastProgressAt (long) and reported (double).
 */
final class JobStateCodec {
  static final byte FORMAT = 7;
  /** Format 6 lacked the video plan of a planned job and a progress (animations that make a video); still read. */
  private static final byte FORMAT_6 = 6;
  /** Format 5 lacked the frame numbers an animation keeps while its plan is not in; still read. */
  private static final byte FORMAT_5 = 5;
  /** Format 4 lacked a progress's pack size (jobs of packed tiles); still read. */
  private static final byte FORMAT_4 = 4;
  /** Format 3 lacked the fraction of the last PROGRESS event and a planned job's PROGRESS time; still read. */
  private static final byte FORMAT_3 = 3;
  /** Format 2 lacked a progress's frameTiles and frameBytes (animations); still read. */
  private static final byte FORMAT_2 = 2;
  /** Format 1 lacked the deadline and last-tile time of a progress and the planned kind; still read. */
  private static final byte FORMAT_1 = 1;
  private static final byte PROGRESS = 1;
  private static final byte ENDED = 2;
  private static final byte PLANNED = 3;
  private static final byte ENCODING = 4;

  private JobStateCodec() {}

  static byte[] encode(JobState state) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      switch (state) {
        case JobEnded e -> {
          out.writeByte(ENDED);
          out.writeByte(e.outcome().ordinal());
          out.writeLong(e.endedAt());
        }
        case JobProgress p -> {
          out.writeByte(PROGRESS);
          writeProgress(out, p);
          out.writeLong(p.deadline);
          out.writeLong(p.lastTileAt);
          out.writeInt(p.frameTiles);
          out.writeLong(p.frameBytes);
          out.writeDouble(p.reported);
          out.writeInt(p.packTiles);
          out.writeInt(p.frameNumbers.size());
          for (Map.Entry<Integer, Integer> e : p.frameNumbers.entrySet()) {
            out.writeInt(e.getKey());
            out.writeInt(e.getValue());
          }
          writeVideo(out, p.video);
        }
        case JobEncoding e -> {
          out.writeByte(ENCODING);
          out.writeUTF(new String(dev.tilefarm.schemas.Json.MAPPER.writeValueAsBytes(e.completed()),
              java.nio.charset.StandardCharsets.UTF_8));
          out.writeUTF(e.video().toString());
          out.writeLong(e.since());
          out.writeLong(e.startedAt());
          out.writeLong(e.deadline());
        }
        case JobPlanned p -> {
          out.writeByte(PLANNED);
          out.writeInt(p.tileCount());
          out.writeInt(p.width());
          out.writeInt(p.height());
          out.writeUTF(p.output().toString());
          out.writeLong(p.acceptedAt());
          out.writeLong(p.deadline());
          out.writeLong(p.lastProgressAt());
          out.writeDouble(p.reported());
          writeVideo(out, p.video());
        }
        case null -> throw new IllegalArgumentException("unknown job state null");
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("a byte array stream cannot fail", e);
    }
  }

  /** A video plan (format 7): present flag, then format, fps, uri, first frame and frame step. */
  private static void writeVideo(DataOutputStream out, dev.tilefarm.schemas.JobControl.VideoPlan v)
      throws IOException {
    out.writeBoolean(v != null);
    if (v != null) {
      out.writeUTF(v.video().format());
      out.writeInt(v.video().fps());
      out.writeUTF(v.uri().toString());
      out.writeInt(v.firstFrame());
      out.writeInt(v.frameStep());
    }
  }

  private static dev.tilefarm.schemas.JobControl.VideoPlan readVideo(DataInputStream in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    dev.tilefarm.schemas.JobRequest.Video video = new dev.tilefarm.schemas.JobRequest.Video(in.readUTF(), in.readInt());
    return new dev.tilefarm.schemas.JobControl.VideoPlan(video, S3Uri.parse(in.readUTF()), in.readInt(), in.readInt());
  }

  private static void writeProgress(DataOutputStream out, JobProgress p) throws IOException {
    out.writeInt(p.tileCount);
    out.writeInt(p.width);
    out.writeInt(p.height);
    out.writeByte(p.channels);
    out.writeUTF(p.output == null ? "" : p.output.toString()); // "": the plan is not in yet
    out.writeLong(p.acceptedAt);
    out.writeLong(p.firstSeenAt);
    out.writeLong(p.renderMs);
    out.writeLong(p.lastProgressAt);
    out.writeInt(p.doneCount);
    long[] words = p.done.toLongArray();
    out.writeInt(words.length);
    for (long w : words) {
      out.writeLong(w);
    }
    out.writeInt(p.gridWidth);
    out.writeInt(p.gridHeight);
    out.writeBoolean(p.uriPrefix != null);
    if (p.uriPrefix != null) {
      out.writeUTF(p.uriPrefix);
      out.writeUTF(p.uriSuffix);
    }
    out.writeInt(p.rects.size());
    for (TileRect r : p.rects.values()) {
      out.writeInt(r.index());
      out.writeInt(r.x());
      out.writeInt(r.y());
      out.writeInt(r.width());
      out.writeInt(r.height());
    }
    out.writeInt(p.tileUris.size());
    for (Map.Entry<Integer, S3Uri> e : p.tileUris.entrySet()) {
      out.writeInt(e.getKey());
      out.writeUTF(e.getValue().toString());
    }
  }

  /** Decodes what {@link #encode} wrote; anything else is a corrupt store, reported as IllegalStateException. */
  static JobState decode(byte[] bytes) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      int format = in.readByte();
      if (format != FORMAT && format != FORMAT_6 && format != FORMAT_5 && format != FORMAT_4 && format != FORMAT_3
          && format != FORMAT_2 && format != FORMAT_1) {
        throw new IllegalStateException("job state has format " + format + ", this compositor reads up to " + FORMAT);
      }
      int kind = in.readByte();
      JobState state;
      if (kind == ENDED) {
        state = new JobEnded(JobEnded.Outcome.values()[in.readByte()], in.readLong());
      } else if (kind == PROGRESS) {
        JobProgress p = readProgress(in);
        if (format >= 2) {
          p.deadline = in.readLong();
          p.lastTileAt = in.readLong();
          if (format >= 3) {
            p.frameTiles = in.readInt();
            p.frameBytes = in.readLong();
          }
          if (format >= 4) {
            p.reported = in.readDouble();
          }
          if (format >= 5) {
            p.packTiles = in.readInt();
          }
          if (format >= 6) {
            for (int n = in.readInt(); n > 0; n--) {
              p.frameNumbers.put(in.readInt(), in.readInt());
            }
          }
          if (format >= 7) {
            p.video = readVideo(in);
          }
        } else {
          p.lastTileAt = p.firstSeenAt;
        }
        state = p;
      } else if (kind == PLANNED && format >= 2) {
        JobPlanned p = new JobPlanned(in.readInt(), in.readInt(), in.readInt(), S3Uri.parse(in.readUTF()),
            in.readLong(), in.readLong());
        p = format >= 4 ? p.withProgress(in.readLong(), in.readDouble()) : p;
        state = format >= 7 ? p.withVideo(readVideo(in)) : p;
      } else if (kind == ENCODING && format >= 7) {
        JobEvent.Completed completed = dev.tilefarm.schemas.Json.MAPPER.readValue(in.readUTF(),
            JobEvent.Completed.class);
        state = new JobEncoding(completed, S3Uri.parse(in.readUTF()), in.readLong(), in.readLong(), in.readLong());
      } else {
        throw new IllegalStateException("job state has unknown kind " + kind);
      }
      if (in.available() != 0) {
        throw new IllegalStateException("job state has " + in.available() + " trailing bytes");
      }
      return state;
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalStateException ise) {
        throw ise;
      }
      throw new IllegalStateException("job state of " + bytes.length + " bytes is corrupt: " + e, e);
    }
  }

  private static JobProgress readProgress(DataInputStream in) throws IOException {
    int tileCount = in.readInt();
    int width = in.readInt();
    int height = in.readInt();
    int channels = in.readByte();
    String outputText = in.readUTF();
    S3Uri output = outputText.isEmpty() ? null : S3Uri.parse(outputText);
    long acceptedAt = in.readLong();
    long firstSeenAt = in.readLong();
    long renderMs = in.readLong();
    long lastProgressAt = in.readLong();
    int doneCount = in.readInt();
    long[] words = new long[in.readInt()];
    for (int i = 0; i < words.length; i++) {
      words[i] = in.readLong();
    }
    int gridWidth = in.readInt();
    int gridHeight = in.readInt();
    String prefix = null;
    String suffix = null;
    if (in.readBoolean()) {
      prefix = in.readUTF();
      suffix = in.readUTF();
    }
    TreeMap<Integer, TileRect> rects = new TreeMap<>();
    for (int n = in.readInt(); n > 0; n--) {
      TileRect r = new TileRect(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt());
      rects.put(r.index(), r);
    }
    TreeMap<Integer, S3Uri> uris = new TreeMap<>();
    for (int n = in.readInt(); n > 0; n--) {
      uris.put(in.readInt(), S3Uri.parse(in.readUTF()));
    }
    return new JobProgress(tileCount, width, height, channels, output, acceptedAt, firstSeenAt, renderMs,
        lastProgressAt, doneCount, BitSet.valueOf(words), gridWidth, gridHeight, prefix, suffix, rects, uris);
  }
}
