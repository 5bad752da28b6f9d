package dev.tilefarm.api;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code openapi.yaml} as served: its {@code servers} entry names the server the document came from (the
 * request's scheme and {@code Host}), so that a client generated from it, or a "try it out" button, calls this
 * server whatever its address and port.
 */
final class OpenApiDocument {
  /** A {@code Host} header's value: a name or an address, and a port. */
  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9._-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");

  private OpenApiDocument() {}

  /**
   * The document with its {@code servers} list replaced by {@code scheme://host}; {@code forwardedProto} (a
   * proxy's {@code X-Forwarded-Proto}) gives the scheme when it is http or https. A missing or malformed host
   * leaves {@code fallbackHost}.
   */
  static byte[] servedFrom(byte[] document, String host, String forwardedProto, String fallbackHost) {
    String scheme = forwardedProto != null && forwardedProto.trim().toLowerCase(Locale.ROOT).matches("https?")
        ? forwardedProto.trim().toLowerCase(Locale.ROOT) : "http";
    String authority = host != null && HOST.matcher(host.trim()).matches() ? host.trim() : fallbackHost;
    String yaml = new String(document, StandardCharsets.UTF_8);
    int start = yaml.indexOf("\nservers:\n");
    if (start < 0) {
      throw new IllegalStateException("openapi.yaml has no top-level servers list");
    }
    start += 1;
    int end = start + "servers:\n".length();
    // The list runs until the next top-level key.
    while (end < yaml.length() && (yaml.charAt(end) == ' ' || yaml.charAt(end) == '-')) {
      end = yaml.indexOf('\n', end) + 1;
    }
    String servers = "servers:\n  - url: \"" + scheme + "://" + authority + "\"\n"
        + "    description: this server (the one this document was served from)\n";
    return (yaml.substring(0, start) + servers + yaml.substring(end)).getBytes(StandardCharsets.UTF_8);
  }
}
