package dev.tilefarm.schemas;

/**
 * A job that was decoded but cannot be run as given. {@link #field()} is a JSON path into the job
 * ("width", "ops[1].sigma", "scene.objects[0].radius"), or null when the fault is not one field's.
 */
public final class InvalidJobException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String jobId;
  private final String field;
  private final String reason;

  /**
   * The most characters of a reason (and of a field path) kept. Reasons quote what the job gave ("unknown op
   * '...'"), and a job may be 512 KiB: uncut, one bad value became a REJECTED event, an HTTP 400 and a dashboard
   * line of half a megabyte.
   */
  static final int MAX_CHARS = 4096;

  public InvalidJobException(String jobId, String field, String reason) {
    this(jobId, cut(field), cut(reason), true);
  }

  /** Takes {@code field} and {@code reason} as they are: already cut (cut again, they would say so twice). */
  private InvalidJobException(String jobId, String field, String reason, boolean alreadyCut) {
    super(field == null ? reason : field + ": " + reason);
    this.jobId = jobId;
    this.field = field;
    this.reason = reason;
  }

  /** {@code text} cut at {@link #MAX_CHARS} characters (never inside a surrogate pair), saying how long it was. */
  static String cut(String text) {
    if (text == null || text.length() <= MAX_CHARS) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
    return text.substring(0, end) + "... (" + text.length() + " characters)";
  }

  /** The same fault, now known to belong to job {@code id}. */
  public InvalidJobException withJobId(String id) {
    return new InvalidJobException(id, field, reason, true);
  }

  /** The same fault one level deeper: {@code prefix} is prepended to the field path. */
  public InvalidJobException under(String prefix) {
    String path = field == null ? prefix : field.startsWith("[") ? prefix + field : prefix + "." + field;
    return new InvalidJobException(jobId, cut(path), reason, true);
  }

  public String jobId() {
    return jobId;
  }

  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }
}
