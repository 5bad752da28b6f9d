package dev.tilefarm.schemas;

/** A record whose bytes are not a message of the expected kind at all: it belongs on the dead-letter topic. */
public final class UndecodableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UndecodableException(String message, Throwable cause) {
    super(message, cause);
  }
}
