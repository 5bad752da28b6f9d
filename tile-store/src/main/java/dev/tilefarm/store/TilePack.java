package dev.tilefarm.store;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Several encoded tiles of one job in one stored object, so that a job of many tiny tiles costs one object per
 * pack instead of one per tile. An 8-byte header ("TFP1", count; big-endian), the parts' lengths (4 bytes each),
 * then the parts, each an encoded tile ({@link TileCodec}) as it would be stored alone.
 */
public final class TilePack {
  private static final int MAGIC = 0x54465031; // "TFP1"
  private static final int HEADER = 8;
  /** No pack holds more parts than this; guards decoding against hostile headers. */
  static final int MAX_PARTS = 1 << 16;

  private TilePack() {}

  public static byte[] encode(List<byte[]> parts) {
    if (parts.isEmpty() || parts.size() > MAX_PARTS) {
      throw new IllegalArgumentException("a pack holds 1 to " + MAX_PARTS + " parts, not " + parts.size());
    }
    long total = HEADER + 4L * parts.size();
    for (byte[] p : parts) {
      total += p.length;
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a pack of " + total + " bytes is too large");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total);
    out.putInt(MAGIC).putInt(parts.size());
    for (byte[] p : parts) {
      out.putInt(p.length);
    }
    for (byte[] p : parts) {
      out.put(p);
    }
    return out.array();
  }

  /** How many parts {@code pack} holds. */
  public static int count(byte[] pack) {
    return header(pack).getInt(4);
  }

  /** Part {@code index} (from 0) of {@code pack}: the encoded tile as it was given to {@link #encode}. */
  public static byte[] part(byte[] pack, int index) {
    ByteBuffer in = header(pack);
    int count = in.getInt(4);
    if (index < 0 || index >= count) {
      throw new IllegalArgumentException("the pack has " + count + " parts, no part " + index);
    }
    long offset = HEADER + 4L * count;
    for (int i = 0; i < index; i++) {
      offset += Integer.toUnsignedLong(in.getInt(HEADER + 4 * i));
    }
    long length = Integer.toUnsignedLong(in.getInt(HEADER + 4 * index));
    if (offset + length > pack.length) {
      throw new IllegalArgumentException("part " + index + " runs past the end of the pack (" + (offset + length)
          + " > " + pack.length + " bytes)");
    }
    return Arrays.copyOfRange(pack, (int) offset, (int) (offset + length));
  }

  private static ByteBuffer header(byte[] pack) {
    if (pack.length < HEADER) {
      throw new IllegalArgumentException("a pack is at least " + HEADER + " bytes, this one " + pack.length);
    }
    ByteBuffer in = ByteBuffer.wrap(pack);
    if (in.getInt(0) != MAGIC) {
      throw new IllegalArgumentException("not a tile pack (no TFP1 header)");
    }
    int count = in.getInt(4);
    if (count < 1 || count > MAX_PARTS || HEADER + 4L * count > pack.length) {
      throw new IllegalArgumentException("the pack's header claims " + count + " parts in " + pack.length + " bytes");
    }
    return in;
  }
}
