package dev.tilefarm.compositor;

/**
 * How pausing has moved a job's clocks: its time limit and stall timeout do not run while it is paused. Kept per
 * job (as {@link #encode()}) until the job ends; a job never paused has {@link #NONE}.
 *
 * @param pausedAt when the job was paused, or 0 while it is not
 * @param pausedMs how long it was paused before, in all: its deadline moves on by as much
 * @param resumedAt when it was last resumed, or 0: its stall timeout counts from then at the earliest
 */
record PauseClock(long pausedAt, long pausedMs, long resumedAt) {
  static final PauseClock NONE = new PauseClock(0, 0, 0);

  PauseClock {
    if (pausedAt < 0 || pausedMs < 0 || resumedAt < 0) {
      throw new IllegalArgumentException("a pause clock has no negative times: " + pausedAt + ", " + pausedMs + ", "
          + resumedAt);
    }
  }

  boolean paused() {
    return pausedAt > 0;
  }

  /** Paused at {@code now}; a job already paused stays paused since its first pause. */
  PauseClock pause(long now) {
    return paused() ? this : new PauseClock(Math.max(1, now), pausedMs, resumedAt);
  }

  /** Resumed at {@code now}: the time since the pause is added up. A job not paused is unchanged. */
  PauseClock resume(long now) {
    return paused() ? new PauseClock(0, pausedMs + Math.max(0, now - pausedAt), now) : this;
  }

  /** A job's deadline (epoch ms, 0: none) moved on by the time it was paused. */
  long deadline(long deadline) {
    return deadline == 0 ? 0 : deadline + pausedMs;
  }

  /** When a job last showed life, given when its last tile came: a resume counts as life. */
  long lastActivity(long lastTile) {
    return Math.max(lastTile, resumedAt);
  }

  String encode() {
    return pausedAt + "," + pausedMs + "," + resumedAt;
  }

  static PauseClock decode(String text) {
    if (text == null) {
      return NONE;
    }
    String[] parts = text.split(",", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a pause clock: '" + text + "'");
    }
    return new PauseClock(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
  }
}
