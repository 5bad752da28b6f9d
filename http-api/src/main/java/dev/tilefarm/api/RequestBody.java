package dev.tilefarm.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request's body as the routes read it: a body that cannot be read (a broken chunked encoding, a connection
 * cut mid-body) is a 400 naming the body rather than an I/O error. Closing it does nothing: the exchange closes
 * the real stream, and closing that here as well made the JDK's chunked stream throw its read error a second time
 * as its own suppressed exception (an IllegalArgumentException, so a 500).
 */
final class RequestBody extends FilterInputStream {
  private RequestBody(InputStream in) {
    super(in);
  }

  static InputStream of(HttpExchange ex) {
    return new RequestBody(ex.getRequestBody());
  }

  @Override
  public int read() throws IOException {
    try {
      return super.read();
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return super.read(b, off, len);
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  @Override
  public void close() {
    // the exchange closes the stream
  }

  private static Uploads.BadRequest unreadable(IOException e) {
    return new Uploads.BadRequest("body", "could not be read: " + e.getMessage());
  }
}
