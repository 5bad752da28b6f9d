package dev.tilefarm.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP/1.1 over a socket, byte for byte as given: any method, a path the JDK's client would refuse, any Host
 * and Origin (which {@link java.net.http.HttpClient} does not let a caller set).
 */
final class RawHttp {
  /** The status code and body of a response. */
  record Response(int status, String body) {}

  private RawHttp() {}

  static Response send(int port, String method, String target, Map<String, String> headers, byte[] body)
      throws IOException {
    StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      request.writeBytes(body);
    }
    return raw(port, request.toByteArray());
  }

  /** Sends {@code request} as it is and reads the response. */
  static Response raw(int port, byte[] request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/1.1 ")) {
        throw new IOException("not an HTTP response: " + text.substring(0, Math.min(80, text.length())));
      }
      int end = text.indexOf("\r\n\r\n");
      return new Response(Integer.parseInt(text.substring(9, 12)), end < 0 ? "" : text.substring(end + 4));
    }
  }
}
