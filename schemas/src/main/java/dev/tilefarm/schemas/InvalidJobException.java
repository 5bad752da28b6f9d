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

  public InvalidJobException(String jobId, String field, String reason) {
    super(field == null ? reason : field + ": " + reason);
    this.jobId = jobId;
    this.field = field;
    this.reason = reason;
  }

  /** The same fault, now known to belong to job {@code id}. */
  public InvalidJobException withJobId(String id) {
    return new InvalidJobException(id, field, reason);
  }

  /** The same fault one level deeper: {@code prefix} is prepended to the field path. */
  public InvalidJobException under(String prefix) {
    String path = field == null ? prefix : field.startsWith("[") ? prefix + field : prefix + "." + field;
    return new InvalidJobException(jobId, path, reason);
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
