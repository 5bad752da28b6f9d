package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.net.httpserver.Headers;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestGuardTest {
  static Headers headers(String... kv) {
    Headers h = new Headers();
    for (int i = 0; i < kv.length; i += 2) {
      h.add(kv[i], kv[i + 1]);
    }
    return h;
  }

  static String refused(RequestGuard g, String method, String path, String... kv) {
    RequestGuard.Refusal r = g.check(method, path, headers(kv));
    return r == null ? null : r.header();
  }

  @Test
  void onLoopbackOnlyLoopbackNames() {
    RequestGuard g = new RequestGuard("127.0.0.1", List.of());
    assertNull(refused(g, "GET", "/api/jobs", "Host", "127.0.0.1:8080"));
    assertNull(refused(g, "GET", "/api/jobs", "Host", "localhost:8080"));
    assertNull(refused(g, "GET", "/api/jobs", "Host", "[::1]:8080"));
    assertNull(refused(g, "GET", "/api/jobs", "Host", "LOCALHOST:8080"), "names are case-insensitive");
    assertNull(refused(g, "GET", "/api/jobs", "Host", "localhost:18080"), "a container's port mapping");
    assertNull(refused(g, "GET", "/api/jobs", "Host", "localhost"));
    assertEquals("Host", refused(g, "GET", "/api/jobs", "Host", "192.168.1.5:8080"));
    assertEquals("Host", refused(g, "GET", "/", "Host", "attacker.example:8080"));
    assertEquals("Host", refused(g, "GET", "/", "Host", "localhost.attacker.example:8080"));
    assertEquals("Host", refused(g, "GET", "/", "Host", "localhost:80800"));
    assertEquals("Host", refused(g, "GET", "/", "Host", "localhost:"));
    assertEquals("Host", refused(g, "GET", "/", "Host", "localhost:x"));
    assertEquals("Host", refused(g, "GET", "/"), "no Host at all");
  }

  @Test
  void onEveryInterfaceAnyAddressAndTheAllowedNames() {
    RequestGuard g = new RequestGuard("0.0.0.0", List.of("farm.example.com"));
    assertNull(refused(g, "GET", "/", "Host", "192.168.1.5:8080"));
    assertNull(refused(g, "GET", "/", "Host", "[fe80::1]:8080"));
    assertNull(refused(g, "GET", "/", "Host", "farm.example.com"), "an allowed name (a proxy's)");
    assertNull(refused(g, "POST", "/api/jobs", "Host", "farm.example.com", "Origin", "https://farm.example.com",
        "Content-Type", "application/json"));
    assertEquals("Host", refused(g, "GET", "/", "Host", "attacker.example:8080"));
    assertEquals("Host", refused(g, "GET", "/", "Host", "farm.example.com.evil.example"));
  }

  @Test
  void changesMustBeJsonFromTheServersOwnOrigin() {
    RequestGuard g = new RequestGuard("127.0.0.1", List.of());
    String host = "127.0.0.1:8080";
    assertNull(refused(g, "POST", "/api/jobs", "Host", host, "Content-Type", "application/json"));
    assertNull(refused(g, "POST", "/api/jobs/j1/cancel", "Host", host, "Content-Type", "application/json",
        "Origin", "http://127.0.0.1:8080"));
    assertEquals("Content-Type", refused(g, "POST", "/api/jobs", "Host", host, "Content-Type", "text/plain"));
    assertEquals("Content-Type", refused(g, "POST", "/api/jobs", "Host", host));
    assertEquals("Content-Type", refused(g, "PUT", "/api/jobs", "Host", host, "Content-Type",
        "application/x-www-form-urlencoded"));
    assertEquals("Origin", refused(g, "POST", "/api/jobs", "Host", host, "Content-Type", "application/json",
        "Origin", "http://localhost:8080"));
    assertEquals("Origin", refused(g, "POST", "/api/jobs", "Host", host, "Content-Type", "application/json",
        "Origin", "http://127.0.0.1:3000"), "a page of another local server");
    assertEquals("Origin", refused(g, "POST", "/api/jobs", "Host", host, "Content-Type", "application/json",
        "Origin", "null"));
    assertNull(refused(g, "DELETE", "/api/jobs/j1", "Host", host));
    assertEquals("Origin", refused(g, "DELETE", "/api/jobs/j1", "Host", host, "Origin", "http://evil.example"));
    assertNull(refused(g, "GET", "/api/jobs", "Host", host, "Origin", "http://evil.example"),
        "a cross-site read is the browser's to refuse (no CORS headers are sent)");
    // Uploads carry the image's own type, which no page can send cross-site without a preflight.
    assertNull(refused(g, "POST", "/api/uploads", "Host", host, "Content-Type", "image/png"));
    assertNull(refused(g, "POST", "/api/uploads", "Host", host, "Content-Type", "application/octet-stream"));
    assertEquals("Content-Type", refused(g, "POST", "/api/uploads", "Host", host, "Content-Type", "text/plain"));
    assertEquals("Content-Type", refused(g, "POST", "/api/uploads", "Host", host, "Content-Type",
        "multipart/form-data; boundary=x"));
    assertEquals("Content-Type", refused(g, "POST", "/api/uploads", "Host", host));
  }
}
