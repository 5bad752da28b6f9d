package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.api.HttpApi;
import dev.tilefarm.schemas.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Generated HTTP requests against the real API of a real embedded farm (broker, S3 server, every role): random
 * and known methods; paths with traversal, encoding and length tricks; right, wrong and missing Host, Origin
 * and Content-Type; bodies of random JSON, mutated jobs, random bytes, deep nesting, oversized JSON, images,
 * truncated images and header bombs; lying Content-Lengths and chunked bodies. Properties: no answer is a 5xx
 * (503 is documented, for Kafka or S3 out of reach, and they are not here), every request is answered, the
 * request metrics stay within their fixed tags, and after each batch the API still answers and a valid job
 * submitted through it completes with the same image as the first.
 *
 * <p>The seed is fixed; {@code -Dfuzz.tries=N} tries N requests instead of {@value #DEFAULT_TRIES}, and
 * {@code -Dfuzz.seed=S} another seed.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class HttpFuzzIT {
  static final int DEFAULT_TRIES = 400;
  static final int BATCH = 50;
  static final long SEED = Long.getLong("fuzz.seed", 20_261_206L);
  static final int TRIES = Integer.getInteger("fuzz.tries", DEFAULT_TRIES);
  static final Set<String> ROUTES = Set.of("/metrics", "/healthz", "/openapi.yaml", "/api/health", "/api/jobs",
      "/api/uploads", "/api/events", "/api/workers", "/api/stats", "/api/dead-letters", "/api/jobs/{id}",
      "/api/jobs/{id}/events", "/api/jobs/{id}/cancel", "/api/jobs/{id}/output", "/api/jobs/{id}/output-url",
      "/api/jobs/{id}/tiles/{n}.png", "static", "unmatched");
  static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
      "CONNECT", "OTHER");
  static final String CHECK_JOB = "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":64,\"height\":48,"
      + "\"tileSize\":32,\"scene\":{\"center\":[-0.5,0],\"zoom\":1,\"iterations\":64}}";

  @TempDir
  Path dir;

  /** One generated request, byte for byte as it goes on the wire. */
  record Request(String method, String target, List<String[]> headers, byte[] body, Framing framing) {
    @Override
    public String toString() {
      StringBuilder s = new StringBuilder(method + " " + (target.length() > 200 ? target.substring(0, 200) + "..."
          : target));
      for (String[] h : headers) {
        s.append(" | ").append(h[0]).append(": ").append(h[1].length() > 80 ? h[1].substring(0, 80) + "..." : h[1]);
      }
      s.append(" | body ").append(body.length).append(" bytes");
      if (body.length > 0) {
        String head = new String(body, 0, Math.min(60, body.length), StandardCharsets.ISO_8859_1)
            .replaceAll("[^\\x20-\\x7e]", ".");
        s.append(" '").append(head).append("'");
      }
      return s.append(" (").append(framing).append(")").toString();
    }
  }

  /** How the body is framed: an honest Content-Length, one that claims more than is sent, or chunked. */
  enum Framing { LENGTH, SHORT_BODY, CHUNKED, BAD_CHUNKED, NONE }

  record Answer(int status, String contentType, String body) {}

  @Test
  void generatedRequestsGetNo5xxAndValidJobsStillComplete() throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("data.dir", dir.toString());
    flags.put("topic.partitions", "3");
    flags.put("http.port", "0");
    Settings settings = Settings.load(flags, Map.of(), null);
    Fuzz fuzz = null;
    try (Farm farm = Farm.startEmbedded(settings, 1, true, 0, 0, new Progress(System.err, false, true));
         HttpApi api = farm.startApi()) {
      fuzz = new Fuzz(api.uri().getPort());
      fuzz.batch(corpus(api.uri().getPort()));
      int batches = Math.max(1, (TRIES + BATCH - 1) / BATCH);
      long started = System.nanoTime();
      qt().withFixedSeed(SEED).withExamples(batches).withShrinkCycles(3)
          .forAll(lists().of(request(api.uri().getPort())).ofSize(BATCH))
          .checkAssert(fuzz::batch);
      System.err.printf("HTTP fuzz (seed %d): %d requests in %d batches, %.0f s; answers by status %s; 5xx 0; "
              + "valid jobs COMPLETED %d of %d; request metric series %d%n", SEED, fuzz.tried, fuzz.checks,
          (System.nanoTime() - started) / 1e9, fuzz.statuses, fuzz.checks, fuzz.checks, fuzz.series);
      assertTrue(fuzz.tried >= TRIES, "requests tried: " + fuzz.tried);
    } finally {
      if (fuzz != null) {
        java.nio.file.Files.writeString(Path.of("target", "http-fuzz.log"), fuzz.log);
      }
    }
  }

  /** Sends batches and checks the farm after each. */
  static final class Fuzz {
    final int port;
    final String self;
    final Map<Integer, Integer> statuses = new TreeMap<>();
    /** Every request with its answer's status, written to target/http-fuzz.log. */
    final StringBuilder log = new StringBuilder();
    int tried;
    int checks;
    int series;
    String reference;

    Fuzz(int port) {
      this.port = port;
      this.self = "127.0.0.1:" + port;
    }

    void batch(List<Request> batch) {
      try {
        for (Request r : batch) {
          Answer a = send(port, r);
          tried++;
          log.append(a.status()).append(' ').append(r).append('\n');
          statuses.merge(a.status(), 1, Integer::sum);
          if (a.status() >= 500) {
            fail(r + " answered " + a.status() + ": " + a.body());
          }
        }
        check();
      } catch (IOException e) {
        throw new AssertionError("the API did not answer: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /** The API answers, its request metrics have only fixed tags, and a valid job completes with its image. */
    void check() throws IOException, InterruptedException {
      Map<String, String> own = Map.of("Host", self);
      assertEquals(200, get("/healthz").status(), "the API answers after the batch");
      Set<String> labels = requestSeries(get("/metrics").body());
      for (String l : labels) {
        Matcher route = Pattern.compile("route=\"([^\"]*)\"").matcher(l);
        Matcher method = Pattern.compile("method=\"([^\"]*)\"").matcher(l);
        assertTrue(route.find() && ROUTES.contains(route.group(1)), "a request metric tagged " + l);
        assertTrue(method.find() && METHODS.contains(method.group(1)), "a request metric tagged " + l);
      }
      series = labels.size();
      String id = "fuzz-check-" + checks;
      ObjectNode job = (ObjectNode) Json.MAPPER.readTree(CHECK_JOB);
      job.put("id", id);
      Map<String, String> json = new LinkedHashMap<>(own);
      json.put("Content-Type", "application/json");
      Answer submitted = send(port, new Request("POST", "/api/jobs", headers(json),
          Json.MAPPER.writeValueAsBytes(job), Framing.LENGTH));
      assertEquals(202, submitted.status(), submitted.body());
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      String status = "";
      while (!status.equals("COMPLETED")) {
        assertTrue(System.nanoTime() < deadline, "job " + id + " is still " + status + " after 3 minutes");
        Thread.sleep(100);
        Answer a = get("/api/jobs/" + id + "?tiles=false");
        if (a.status() == 200) {
          status = Json.MAPPER.readTree(a.body()).at("/job/status").asText();
          assertTrue(Set.of("SUBMITTED", "ACCEPTED", "RUNNING", "COMPLETED").contains(status),
              "the valid job " + id + " ended " + status + ": " + a.body());
        }
      }
      byte[] png = getBytes("/api/jobs/" + id + "/output");
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      assertEquals(64, image.getWidth());
      assertEquals(48, image.getHeight());
      String sha = sha256(png);
      if (reference == null) {
        reference = sha;
      }
      assertEquals(reference, sha, "job " + id + " made the same image as the first valid job");
      checks++;
    }

    Answer get(String path) throws IOException {
      return send(port, new Request("GET", path, headers(Map.of("Host", self)), new byte[0], Framing.NONE));
    }

    byte[] getBytes(String path) throws IOException {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(60_000);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + self + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        byte[] all = s.getInputStream().readAllBytes();
        int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        String head = new String(all, 0, end, StandardCharsets.ISO_8859_1);
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        return Arrays.copyOfRange(all, end + 4, all.length);
      }
    }
  }

  // ---- The wire ----

  static List<String[]> headers(Map<String, String> h) {
    List<String[]> out = new ArrayList<>();
    h.forEach((k, v) -> out.add(new String[] {k, v}));
    return out;
  }

  /**
   * Sends {@code r} and reads the answer: its status, and its body unless it is an event stream (which does
   * not end). A connection the server closes while a large body is still being sent is read as far as it goes.
   */
  static Answer send(int port, Request r) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(60_000);
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      StringBuilder head = new StringBuilder(r.method() + " " + r.target() + " HTTP/1.1\r\n");
      for (String[] h : r.headers()) {
        head.append(h[0]).append(": ").append(h[1]).append("\r\n");
      }
      switch (r.framing()) {
        case LENGTH -> head.append("Content-Length: ").append(r.body().length).append("\r\n");
        case SHORT_BODY -> head.append("Content-Length: ").append(r.body().length + 1000).append("\r\n");
        case CHUNKED, BAD_CHUNKED -> head.append("Transfer-Encoding: chunked\r\n");
        case NONE -> { }
      }
      head.append("Connection: close\r\n\r\n");
      wire.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
      if (r.framing() == Framing.CHUNKED || r.framing() == Framing.BAD_CHUNKED) {
        wire.writeBytes((Integer.toHexString(r.body().length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        wire.writeBytes(r.body());
        wire.writeBytes((r.framing() == Framing.CHUNKED ? "\r\n0\r\n\r\n" : "\r\nzz\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
      } else if (r.framing() != Framing.NONE) {
        wire.writeBytes(r.body());
      }
      OutputStream out = s.getOutputStream();
      try {
        out.write(wire.toByteArray());
        out.flush();
        s.shutdownOutput(); // a body shorter than its Content-Length ends here, so the server is not left waiting
      } catch (IOException e) {
        // The server answered and closed before taking the whole body (a body over a limit): read its answer.
      }
      return read(s.getInputStream(), r);
    }
  }

  private static Answer read(InputStream in, Request r) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    try {
      while ((b = in.read()) >= 0) {
        head.write(b);
        byte[] h = head.toByteArray();
        if (h.length >= 4 && h[h.length - 4] == '\r' && h[h.length - 3] == '\n' && h[h.length - 2] == '\r'
            && h[h.length - 1] == '\n') {
          break;
        }
      }
    } catch (SocketTimeoutException e) {
      throw new IOException("no answer in 60 s to " + r, e);
    } catch (IOException e) {
      if (head.size() == 0) {
        // Reset before any answer: only when the server stopped reading a large body, or refused the target.
        if (r.body().length > 64 * 1024 || !r.target().startsWith("/")) {
          return new Answer(0, null, "reset with no answer");
        }
        throw new IOException("connection reset with no answer to " + r, e);
      }
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    if (text.isEmpty() && (r.body().length > 64 * 1024 || !r.target().startsWith("/"))) {
      // The JDK's HTTP server closes the connection on a request target that is not a path (*, foo:bar)
      // before any handler runs, and on a body it stops reading: the server itself goes on.
      return new Answer(0, null, "closed with no answer");
    }
    if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
      throw new IOException("not an HTTP answer to " + r + ": '" + text + "'");
    }
    int status = Integer.parseInt(text.substring(9, 12));
    Matcher type = Pattern.compile("(?im)^content-type:\\s*(.*?)\\r$").matcher(text);
    String contentType = type.find() ? type.group(1) : null;
    if (contentType != null && contentType.startsWith("text/event-stream")) {
      return new Answer(status, contentType, "");
    }
    String body;
    try {
      body = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
    } catch (IOException e) {
      body = "";
    }
    return new Answer(status, contentType, body);
  }

  static Set<String> requestSeries(String scrape) {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^tilefarm_http_requests_seconds_count\\{(.*)} \\S+$").matcher(scrape);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** Requests written by hand, sent before the generated ones: each once found, or could find, a 5xx. */
  static List<Request> corpus(int port) throws IOException {
    Map<String, String> own = Map.of("Host", "127.0.0.1:" + port);
    Map<String, String> json = Map.of("Host", "127.0.0.1:" + port, "Content-Type", "application/json");
    Map<String, String> png = Map.of("Host", "127.0.0.1:" + port, "Content-Type", "image/png");
    byte[] none = new byte[0];
    byte[] random = new byte[3 << 20];
    new SplittableRandom(1).nextBytes(random);
    List<Request> out = new ArrayList<>();
    out.add(new Request("GET", "/api/jobs?limit=abc", headers(own), none, Framing.NONE));
    out.add(new Request("GET", "/api/jobs?limit=99999999999", headers(own), none, Framing.NONE));
    out.add(new Request("GET", "/api/jobs?limit=%20", headers(own), none, Framing.NONE));
    out.add(new Request("GET", "/api/jobs?status=%E0%A4%A", headers(own), none, Framing.NONE));
    out.add(new Request("GET", "/api/jobs/job-1/tiles/9999999.png", headers(own), none, Framing.NONE));
    out.add(new Request("GET", "/api/jobs/job-1?tiles=%ff", headers(own), none, Framing.NONE));
    out.add(new Request("OPTIONS", "*", headers(own), none, Framing.NONE));
    out.add(new Request("GET", "/api/jobs", List.of(), none, Framing.NONE));
    out.add(new Request("POST", "/api/jobs", headers(json), ("[".repeat(100_000) + "]".repeat(100_000))
        .getBytes(StandardCharsets.US_ASCII), Framing.LENGTH));
    out.add(new Request("POST", "/api/jobs", headers(json), oversized(600 * 1024), Framing.LENGTH));
    out.add(new Request("POST", "/api/jobs", headers(json), "{\"id\":\"\\u0000\"}".getBytes(StandardCharsets.UTF_8),
        Framing.LENGTH));
    out.add(new Request("POST", "/api/jobs", headers(json), "{\"a\":".getBytes(StandardCharsets.US_ASCII),
        Framing.BAD_CHUNKED));
    out.add(new Request("POST", "/api/uploads?op=grayscale", headers(png), png(8, 8), Framing.BAD_CHUNKED));
    out.add(new Request("POST", "/api/jobs/job-1/cancel", headers(json), "[1]".getBytes(StandardCharsets.UTF_8),
        Framing.LENGTH));
    out.add(new Request("POST", "/api/uploads?op=grayscale&tileSize=abc", headers(png), png(8, 8), Framing.LENGTH));
    out.add(new Request("POST", "/api/uploads?op=grayscale", headers(png), pngHeader(200_000, 200_000),
        Framing.LENGTH));
    out.add(new Request("POST", "/api/uploads?op=grayscale", headers(png), random, Framing.LENGTH));
    out.add(new Request("POST", "/api/uploads?ops=%5B%7B%7D%5D", headers(png), png(8, 8), Framing.LENGTH));
    out.add(new Request("POST", "/api/uploads?op=grayscale", headers(png), Arrays.copyOf(png(30, 30), 60),
        Framing.LENGTH));
    return out;
  }

  // ---- Generators ----

  static <T> Gen<T> pick(List<T> values) {
    return Generate.pickWithNoShrinkPoint(values);
  }

  @SafeVarargs
  static <T> Gen<T> weighted(Pair<Integer, Gen<T>> first, Pair<Integer, Gen<T>>... more) {
    return Generate.frequencyWithNoShrinkPoint(first, more);
  }

  static <T> Pair<Integer, Gen<T>> w(int weight, Gen<T> gen) {
    return Pair.of(weight, gen);
  }

  static Gen<Request> request(int port) {
    String self = "127.0.0.1:" + port;
    return weighted(w(7, anyRequest(port, self)), w(2, submission(self)), w(1, upload(self)));
  }

  /** A job posted as the API asks (own Host, JSON): random job fields, or the check job mutated. */
  static Gen<Request> submission(String self) {
    return weighted(w(1, json()), w(1, mutatedJob())).map(body -> new Request("POST", "/api/jobs",
        headers(Map.of("Host", self, "Content-Type", "application/json")), body, Framing.LENGTH));
  }

  /** An upload as the dashboard sends it: an image (or not) with an op chain (good or bad). */
  static Gen<Request> upload(String self) {
    Gen<String> ops = pick(List.of("op=grayscale", "op=gaussian-blur:sigma=1.5&op=grayscale", "op=nope",
        "op=gaussian-blur:sigma=-1", "ops=%5B%7B%22op%22%3A%22grayscale%22%7D%5D", "op=grayscale&tileSize=8",
        "op=crop:x=5000,y=0,width=4,height=4", "op=grayscale&output=s3://other-bucket/x.png"));
    Gen<String> type = pick(List.of("image/png", "image/jpeg", "image/tiff", "application/octet-stream"));
    return ops.zip(type, weighted(w(4, images()), w(1, randomBytes(1, 4096))), (o, t, body) -> new Request("POST",
        "/api/uploads?" + o, headers(Map.of("Host", self, "Content-Type", t)), body, Framing.LENGTH));
  }

  static Gen<Request> anyRequest(int port, String self) {
    Gen<String> method = weighted(w(4, Generate.constant("GET")), w(4, Generate.constant("POST")),
        w(3, pick(List.of("HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"))),
        w(1, pick(List.of("BREW", "get", "P0ST", "M-SEARCH", "PROPFIND", "X".repeat(300)))));
    Gen<String> host = weighted(w(12, Generate.constant(self)),
        w(1, pick(List.of("localhost:" + port, "[::1]:" + port, "evil.example:" + port, "127.0.0.1", "::::",
            "127.0.0.1:" + port + "@evil.example", "", "127.0.0.1:99999"))),
        w(1, Generate.constant((String) null)));
    Gen<String> origin = weighted(w(10, Generate.constant((String) null)),
        w(2, Generate.constant("http://" + self)),
        w(1, pick(List.of("http://evil.example", "null", "http://" + self + ".evil.example", "file://"))));
    Gen<String> auth = weighted(w(12, Generate.constant((String) null)),
        w(1, pick(List.of("Bearer x", "Bearer " + "a".repeat(5000), "Basic Zm9vOmJhcg==", "Bearer"))));
    return target().zip(method, host,
            (t, m, h) -> new String[] {t, m, h})
        .zip(origin, auth, body(), (tmh, o, a, b) -> {
          Map<String, String> h = new LinkedHashMap<>();
          if (tmh[2] != null) {
            h.put("Host", tmh[2]);
          }
          if (o != null) {
            h.put("Origin", o);
          }
          if (a != null) {
            h.put("Authorization", a);
          }
          if (b.contentType() != null) {
            h.put("Content-Type", b.contentType());
          }
          return new Request(tmh[1], tmh[0], headers(h), b.bytes(), b.framing());
        });
  }

  /** A request target: a route, a route with a bad parameter, a traversal or encoding trick, or noise. */
  static Gen<String> target() {
    Gen<String> id = pick(List.of("fuzz-check-0", "job-1", "m1", "x".repeat(128), "x".repeat(129), "..", "%2e%2e",
        "a%00b", "a%2fb", "%", "%zz", "-1", "\u00e9t\u00e9"));
    Gen<String> route = pick(List.of("/api/jobs", "/api/jobs/", "/api/uploads", "/api/workers", "/api/stats",
        "/api/dead-letters", "/api/health", "/healthz", "/metrics", "/openapi.yaml", "/", "/index.html",
        "/app.js", "/app.css"));
    Gen<String> jobRoute = id.zip(pick(List.of("", "/cancel", "/output", "/output-url", "/tiles/0.png",
        "/tiles/9999999.png", "/tiles/-1.png", "/tiles/99999999.png", "/events/", "/output/..")), (i, p) ->
        "/api/jobs/" + i + p);
    Gen<String> tricks = pick(List.of("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
        "//etc/passwd", "/dashboard/../openapi.yaml", "/app.js%00.png", "/%00", "/api/jobs/..%2F..%2Fmetrics",
        "/api//jobs", "/API/JOBS", "/api/jobs;x=1", "/api/jobs/%20", "/\\..\\..\\windows\\win.ini",
        "/" + "a/".repeat(2000), "/" + "%41".repeat(3000), "*", "http://127.0.0.1/api/jobs", "foo:bar",
        "/api/jobs#frag", "/.git/config", "/WEB-INF/web.xml", "/api/uploads/../jobs"));
    Gen<String> query = pick(List.of("", "", "", "?limit=abc", "?limit=-5", "?limit=99999999999", "?limit=",
        "?status=%zz", "?status=COMPLETED", "?tiles=false", "?op=grayscale", "?ops=[", "?ops={}",
        "?op=gaussian-blur:sigma=", "?op=:", "?op=grayscale&id=../x", "?op=grayscale&filename=a.png",
        "?op=grayscale&tileSize=abc", "?op=grayscale&tileSize=0", "?op=grayscale&output=s3://other/secret.png",
        "?access_token=x", "?download=true", "?%", "?&&==", "?op=" + "x".repeat(5000),
        "?ops=" + "%5B".repeat(3000)));
    Gen<String> noise = Generate.rangeWithNoShrinkPoint(1, 60).zip(seeds(), (n, seed) -> {
      SplittableRandom random = new SplittableRandom(seed);
      String chars = "abcAZ09-._~%/?#[]@!$&'()*+,;=:\"<>\\^`{|}";
      StringBuilder s = new StringBuilder("/");
      for (int i = 0; i < n; i++) {
        s.append(chars.charAt(random.nextInt(chars.length())));
      }
      return s.toString();
    });
    return weighted(w(4, route.zip(query, String::concat)), w(3, jobRoute.zip(query, String::concat)),
        w(2, tricks), w(1, noise));
  }

  record Body(String contentType, byte[] bytes, Framing framing) {}

  static Gen<Body> body() {
    Gen<String> type = weighted(w(6, Generate.constant("application/json")),
        w(4, pick(List.of("text/plain", "image/png", "image/jpeg", "application/octet-stream",
            "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=utf-16",
            "", "application/json; charset=\"", "*/*", "image/png; x=" + "y".repeat(2000)))),
        w(1, Generate.constant((String) null)));
    Gen<Framing> framing = weighted(w(12, Generate.constant(Framing.LENGTH)),
        w(1, pick(List.of(Framing.SHORT_BODY, Framing.CHUNKED, Framing.BAD_CHUNKED, Framing.NONE))));
    Gen<byte[]> bytes = weighted(w(3, Generate.constant(new byte[0])), w(6, json()), w(4, mutatedJob()),
        w(3, randomBytes(0, 4096)), w(3, images()), w(1, randomBytes(64 * 1024, 3 << 20)), w(1, deepNesting()),
        w(1, oversizedJson()));
    return type.zip(bytes, framing, Body::new);
  }

  /** A JSON object of job fields with values that are right, wrong, huge, of the wrong type, or hostile. */
  static Gen<byte[]> json() {
    List<String> keys = List.of("id", "type", "renderer", "width", "height", "tileSize", "scene", "ops", "input",
        "output", "format", "cancel", "reason", "priority", "timeLimit", "frames", "seed", "unknown");
    List<String> values = List.of("0", "-1", "1", "8", "64", "100000", "2147483648", "1e308", "-0.0", "\"\"",
        "\"x\"", "\"mandelbrot\"", "\"builtin\"", "\"povray\"", "\"blender\"", "\"render\"", "\"process\"",
        "\"s3://tilefarm/uploads/x.png\"", "\"s3://other-bucket/secret.png\"", "\"../../etc/passwd\"", "null", "true",
        "[]", "{}", "[{\"op\":\"grayscale\"}]", "[{\"op\":\"gaussian-blur\",\"sigma\":1e9}]", "[{\"op\":\"nope\"}]",
        "{\"center\":[0,0],\"zoom\":-1}", "\"\\u0000\"", "\"" + "x".repeat(10_000) + "\"", "\"png\"", "\"jpeg\"",
        "\"job-1\"");
    return Generate.rangeWithNoShrinkPoint(0, 8).zip(seeds(), (n, seed) -> {
      SplittableRandom random = new SplittableRandom(seed);
      StringBuilder s = new StringBuilder("{");
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          s.append(',');
        }
        s.append('"').append(keys.get(random.nextInt(keys.size()))).append("\":")
            .append(values.get(random.nextInt(values.size())));
      }
      return s.append('}').toString().getBytes(StandardCharsets.UTF_8);
    });
  }

  /** The check job's JSON with bytes cut, flipped or inserted. */
  static Gen<byte[]> mutatedJob() {
    return Generate.rangeWithNoShrinkPoint(1, 4).zip(seeds(), (n, seed) -> {
      SplittableRandom random = new SplittableRandom(seed);
      byte[] b = CHECK_JOB.getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < n; i++) {
        int at = random.nextInt(b.length);
        switch (random.nextInt(3)) {
          case 0 -> b = Arrays.copyOf(b, at);
          case 1 -> b[at] = (byte) random.nextInt(256);
          default -> {
            byte[] longer = new byte[b.length + 1];
            System.arraycopy(b, 0, longer, 0, at);
            longer[at] = (byte) "{}[],:\"\\0e-".charAt(random.nextInt(11));
            System.arraycopy(b, at, longer, at + 1, b.length - at);
            b = longer;
          }
        }
        if (b.length == 0) {
          break;
        }
      }
      return b;
    });
  }

  /** Seeds of the generators below that draw their values from a seeded stream. */
  static Gen<Long> seeds() {
    return Generate.rangeWithNoShrinkPoint(Integer.MIN_VALUE, Integer.MAX_VALUE).map(i -> i * 0x9E3779B97F4A7C15L);
  }

  static Gen<byte[]> randomBytes(int min, int max) {
    return Generate.rangeWithNoShrinkPoint(min, max).zip(seeds(), (n, seed) -> {
      byte[] b = new byte[n];
      new SplittableRandom(seed).nextBytes(b);
      return b;
    });
  }

  static Gen<byte[]> deepNesting() {
    return Generate.rangeWithNoShrinkPoint(500, 200_000).map(n -> ("[".repeat(n) + "]".repeat(n))
        .getBytes(StandardCharsets.US_ASCII));
  }

  static Gen<byte[]> oversizedJson() {
    return Generate.rangeWithNoShrinkPoint(520 * 1024, 2 << 20).map(HttpFuzzIT::oversized);
  }

  /** The check job padded with spaces to {@code n} bytes. */
  static byte[] oversized(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) ' ');
    byte[] head = CHECK_JOB.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, b, 0, head.length);
    return b;
  }

  /** A small real image, a truncated one, or a header that claims a huge one. */
  static Gen<byte[]> images() {
    return Generate.rangeWithNoShrinkPoint(0, 5).zip(Generate.rangeWithNoShrinkPoint(1, 70_000), (kind, n) -> {
      try {
        byte[] png = png(Math.max(1, n % 40), Math.max(1, n % 23));
        return switch (kind) {
          case 0, 1 -> png;
          case 2 -> Arrays.copyOf(png, Math.max(1, png.length / 2));
          case 3 -> pngHeader(n * 1000, n * 1000);
          case 4 -> Arrays.copyOf(png, 16);
          default -> jpeg(Math.max(1, n % 30), Math.max(1, n % 17));
        };
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  static byte[] png(int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0x336699);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  static byte[] jpeg(int w, int h) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "jpeg", out);
    return out.toByteArray();
  }

  /** A PNG's signature and header chunk claiming {@code w} x {@code h} pixels, and no pixel data. */
  static byte[] pngHeader(int w, int h) {
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13).put(ihdr.array())
        .putInt((int) crc.getValue());
    return png.array();
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
