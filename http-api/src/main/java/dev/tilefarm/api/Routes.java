package dev.tilefarm.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tilefarm.api.RouteTable.Route;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobQuery;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.JobStatus;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.UndecodableException;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.TileKeys;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Every route of the API, the dashboard's files and {@code /metrics}; the contract is {@code openapi.yaml}. */
final class Routes implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(Routes.class);
  /** An upload larger than this is refused while it streams in; the splitter's pixel limit applies after. */
  static final long MAX_UPLOAD_BYTES = 512L << 20;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Map<String, String> STATIC_TYPES = Map.of("html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml",
      "yaml", "application/yaml; charset=utf-8", "png", "image/png", "ico", "image/x-icon");

  /** The API's JSON: records as objects, nulls left out. */
  static final ObjectMapper JSON = JsonMapper.builder()
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  private final ApiConfig config;
  private final FarmView view;
  private final BlobStore blobs;
  private final KafkaProducer<String, byte[]> producer;
  private final PrometheusMeterRegistry registry;
  private final byte[] token;
  /** Null when a token is set: the token is what keeps other sites' pages out then. */
  private final RequestGuard guard;
  private final UploadJanitor janitor;
  private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
  private final OutputServing outputs;
  private final JobAdmission admission;

  /** Role (or part of the API) -> why it is down, for those that are; empty when all is well. */
  private final java.util.function.Supplier<Map<String, String>> down;

  Routes(ApiConfig config, FarmView view, BlobStore blobs, KafkaProducer<String, byte[]> producer,
      PrometheusMeterRegistry registry, UploadJanitor janitor,
      java.util.function.Supplier<Map<String, String>> down) {
    this.down = down;
    this.config = config;
    this.view = view;
    this.blobs = blobs;
    this.producer = producer;
    this.registry = registry;
    this.token = config.token() == null ? null : config.token().getBytes(StandardCharsets.UTF_8);
    this.guard = token == null ? new RequestGuard(config.host(), config.allowedHosts()) : null;
    this.janitor = janitor;
    this.outputs = new OutputServing(blobs, config.outputLocations(), config.presignTtl());
    this.admission = new JobAdmission(config.limits(), blobs.settings().bucket(), view);
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    long start = System.nanoTime();
    String path = ex.getRequestURI().getRawPath();
    int status = 500;
    try {
      if (path == null || !path.startsWith("/")) {
        status = error(ex, 400, null, "the request target must be a path, such as /api/jobs");
        return;
      }
      RequestGuard.Refusal refused = guard == null ? null : guard.check(ex.getRequestMethod(), path,
          ex.getRequestHeaders());
      if (refused != null) {
        status = error(ex, 403, refused.header(), refused.reason());
        return;
      }
      if (path.startsWith("/api/") && !authorized(ex)) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"tilefarm\"");
        status = error(ex, 401, null, "missing or wrong bearer token (Authorization: Bearer TOKEN, or ?access_token=)");
        return;
      }
      status = dispatch(ex, path);
    } catch (MethodNotAllowed e) {
      ex.getResponseHeaders().set("Allow", e.getMessage());
      status = error(ex, 405, null, "use " + e.getMessage());
    } catch (Uploads.BadRequest e) {
      status = error(ex, 400, e.field, e.getMessage());
    } catch (InvalidJobException e) {
      status = error(ex, 400, e.field(), e.reason());
    } catch (UndecodableException e) {
      status = error(ex, 400, null, e.getMessage());
    } catch (BlobNotFoundException e) {
      status = error(ex, 404, null, e.getMessage());
    } catch (BlobStoreException e) {
      status = error(ex, 503, null, "object storage: " + e.getMessage());
    } catch (TimeoutException | ExecutionException e) {
      status = error(ex, 503, null, "publishing to Kafka: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = 503;
    } catch (IOException e) {
      status = 499; // the client went away
    } catch (RuntimeException e) {
      log.error("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
      status = error(ex, 500, null, "internal error: " + e);
    } finally {
      ex.close();
      Timer.builder("tilefarm.http.requests").description("HTTP requests served by the API")
          .tags("method", RouteTags.method(ex.getRequestMethod()), "route", RouteTags.route(path),
              "status", String.valueOf(status))
          .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** A request on its route: the exchange, the path's parameters by name, the decoded query. */
  record Call(HttpExchange ex, Map<String, String> params, Map<String, List<String>> query) {
    /** The job id of a {@code /api/jobs/{id}...} route. */
    String id() {
      return params.get("id");
    }
  }

  /** Serves one route's requests. */
  @FunctionalInterface
  interface Handler {
    int handle(Routes routes, Call call) throws IOException, InterruptedException, ExecutionException,
        TimeoutException;
  }

  /** Every route but the dashboard's files (any other path outside {@code /api}); openapi.yaml is the contract. */
  static final RouteTable<Handler> TABLE = new RouteTable<>(List.of(
      Route.of("GET", "/metrics", Routes::metrics),
      Route.of("GET", "/healthz", Routes::health),
      Route.of("GET", "/api/health", Routes::health),
      Route.of("GET", "/api/jobs", Routes::jobs),
      Route.of("POST", "/api/jobs", (r, c) -> r.submit(c.ex())),
      Route.of("POST", "/api/uploads", (r, c) -> r.upload(c.ex(), c.query())),
      Route.of("GET", "/api/events", (r, c) -> r.stream(c.ex(), null)),
      Route.of("GET", "/api/workers", (r, c) -> json(c.ex(), 200, Map.of("workers",
          r.view.workers(System.currentTimeMillis())))),
      Route.of("GET", "/api/stats", (r, c) -> json(c.ex(), 200, r.view.stats(System.currentTimeMillis()))),
      Route.of("GET", "/api/dead-letters", (r, c) -> json(c.ex(), 200, Map.of("deadLetters", r.view.deadLetters()))),
      Route.of("GET", "/api/jobs/{id}", Routes::job),
      Route.of("DELETE", "/api/jobs/{id}", (r, c) -> r.cancel(c.ex(), c.id())),
      Route.of("GET", "/api/jobs/{id}/events", (r, c) -> r.stream(c.ex(), c.id())),
      Route.of("POST", "/api/jobs/{id}/cancel", (r, c) -> r.cancel(c.ex(), c.id())),
      Route.of("POST", "/api/jobs/{id}/pause", (r, c) -> r.schedule(c.ex(), c.id(), "pause")),
      Route.of("POST", "/api/jobs/{id}/resume", (r, c) -> r.schedule(c.ex(), c.id(), "resume")),
      Route.of("POST", "/api/jobs/{id}/priority", (r, c) -> r.schedule(c.ex(), c.id(), "reprioritize")),
      Route.of("POST", "/api/jobs/{id}/retry", (r, c) -> r.retry(c.ex(), c.id())),
      Route.of("GET", "/api/jobs/{id}/output", (r, c) -> first(c.query(), "frame", null) == null
          ? r.output(c.ex(), c.id(), first(c.query(), "download", "false").equals("true"))
          : r.frame(c.ex(), c.id(), intParam(c.query(), "frame", 0),
              first(c.query(), "download", "false").equals("true"))),
      Route.of("GET", "/api/jobs/{id}/output-url", (r, c) -> r.outputUrl(c.ex(), c.id())),
      Route.of("GET", "/api/jobs/{id}/video", (r, c) -> r.video(c.ex(), c.id(),
          first(c.query(), "download", "false").equals("true"))),
      Route.of("GET", "/api/jobs/{id}/logs", (r, c) -> first(c.query(), "tile", null) == null ? r.logs(c.ex(), c.id())
          : r.tileLog(c.ex(), c.id(), intParam(c.query(), "tile", 0))),
      Route.of("GET", "/api/jobs/{id}/tiles/{n}.png", (r, c) -> r.tile(c.ex(), c.id(),
          Integer.parseInt(c.params().get("n")))),
      Route.of("GET", "/openapi.yaml", (r, c) -> r.openApi(c.ex()))));

  private int dispatch(HttpExchange ex, String path) throws IOException, InterruptedException, ExecutionException,
      TimeoutException {
    switch (TABLE.lookup(ex.getRequestMethod(), path)) {
      case RouteTable.Found<Handler> found -> {
        String id = found.params().get("id");
        if (id != null) {
          MDC.put("jobId", id);
        }
        try {
          return found.route().handler().handle(this, new Call(ex, found.params(),
              query(ex.getRequestURI().getRawQuery())));
        } finally {
          if (id != null) {
            MDC.remove("jobId");
          }
        }
      }
      case RouteTable.WrongMethod<Handler> wrong -> throw new MethodNotAllowed(String.join(", ", wrong.allowed()));
      case RouteTable.NotFound<Handler> none -> {
        if (path.startsWith("/api/")) {
          return error(ex, 404, null, "no such route: " + path + " (see /openapi.yaml)");
        }
        return staticFile(ex, path);
      }
    }
  }

  private int metrics(Call c) throws IOException {
    return send(c.ex(), 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape().getBytes(StandardCharsets.UTF_8));
  }

  private int jobs(Call c) throws IOException {
    int limit = Math.min(1000, Math.max(1, intParam(c.query(), "limit", 200)));
    return json(c.ex(), 200, Map.of("jobs", view.jobs(first(c.query(), "status", null), limit)));
  }

  private int health(Call c) throws IOException {
    Map<String, String> failing = new java.util.TreeMap<>(down.get());
    return failing.isEmpty() ? json(c.ex(), 200, Map.of("status", "UP"))
        : json(c.ex(), 503, Map.of("status", "DOWN", "down", failing));
  }

  private int job(Call c) throws IOException {
    FarmView.JobDetail detail = view.job(c.id(), first(c.query(), "tiles", "true").equals("true"));
    return detail == null ? unknownJob(c.ex(), c.id()) : json(c.ex(), 200, detail);
  }

  /** The route exists, but not for this method; the message is the allowed ones. */
  private static final class MethodNotAllowed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MethodNotAllowed(String allowed) {
      super(allowed);
    }
  }

  private boolean authorized(HttpExchange ex) {
    if (token == null) {
      return true;
    }
    String header = ex.getRequestHeaders().getFirst("Authorization");
    String given = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      given = header.substring(7).trim();
    } else {
      // EventSource and <img> cannot send headers; the dashboard passes the token as a parameter then.
      given = first(query(ex.getRequestURI().getRawQuery()), "access_token", null);
    }
    return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
  }

  // ---- Jobs ----

  private int submit(HttpExchange ex) throws IOException, InterruptedException, ExecutionException, TimeoutException {
    byte[] body;
    try (InputStream in = RequestBody.of(ex)) {
      body = in.readNBytes(JobCodec.MAX_BYTES + 1);
    }
    ObjectNode json = JobCodec.parse(body);
    if (json.has("cancel")) {
      throw new Uploads.BadRequest("cancel", "cancel a job with POST /api/jobs/{id}/cancel");
    }
    for (String kind : JobCodec.SCHEDULE_KEYS) {
      if (json.has(kind)) {
        throw new Uploads.BadRequest(kind, "pause, resume or re-prioritise a job with POST /api/jobs/{id}/pause, "
            + "/resume or /priority");
      }
    }
    if (json.has("retry")) {
      throw new Uploads.BadRequest("retry", "retry a job with POST /api/jobs/{id}/retry");
    }
    if (!json.hasNonNull("id")) {
      json.put("id", newId());
    }
    JobRequest job = JobCodec.decode(json, null);
    long now = System.currentTimeMillis();
    admission.check(job, now); // as the splitter will, so a bad job is refused here, naming the field
    FarmView.JobDetail existing = admission.claim(job.id(), now);
    if (existing != null) {
      return idTaken(ex, existing);
    }
    try {
      return publishJob(ex, json, job);
    } catch (RuntimeException | ExecutionException | TimeoutException | InterruptedException e) {
      admission.release(job.id());
      throw e;
    }
  }

  /** 409 with the job that has the id, as {@code GET /api/jobs/{id}} shows it, and the error's fields. */
  private static int idTaken(HttpExchange ex, FarmView.JobDetail existing) throws IOException {
    String id = existing.job().id();
    ObjectNode body = JSON.createObjectNode();
    body.put("status", 409);
    body.put("field", "id");
    body.put("reason", "job " + id + " already exists (" + existing.job().status() + "); the farm runs one job per "
        + "id: give the new job another id, or none for a generated one");
    // Through the record's declared types, so that each event carries its status as on the topic.
    body.setAll((ObjectNode) JSON.valueToTree(existing));
    ex.getResponseHeaders().set("Location", "/api/jobs/" + id);
    return json(ex, 409, body);
  }

  /** Publishes a checked job whose id is claimed. */
  private int publishJob(HttpExchange ex, ObjectNode json, JobRequest job) throws IOException, InterruptedException,
      ExecutionException, TimeoutException {
    MDC.put("jobId", job.id());
    try {
      producer.send(new ProducerRecord<>(config.topics().jobs().name(), job.id(), Json.MAPPER.writeValueAsBytes(json)))
          .get(30, TimeUnit.SECONDS);
      log.info("submitted job {} ({})", job.id(), job.type());
    } finally {
      MDC.remove("jobId");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", job.id());
    out.put("status", "SUBMITTED");
    out.put("job", "/api/jobs/" + job.id());
    out.put("events", "/api/jobs/" + job.id() + "/events");
    out.put("output", "/api/jobs/" + job.id() + "/output");
    out.put("dashboard", "/#/jobs/" + job.id());
    ex.getResponseHeaders().set("Location", "/api/jobs/" + job.id());
    return json(ex, 202, out);
  }

  static String newId() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return "job-" + HexFormat.of().formatHex(b);
  }

  /**
   * Streams the body to a file, checks the image (its type from its content, its size from its header) and the
   * job, and only then stores it: a refused upload leaves nothing in object storage.
   */
  private int upload(HttpExchange ex, Map<String, List<String>> query) throws IOException, InterruptedException,
      ExecutionException, TimeoutException {
    ArrayNode ops = JobQuery.ops(query);
    String contentType = ex.getRequestHeaders().getFirst("Content-Type");
    Uploads.extension(contentType, first(query, "filename", null));
    Path tmp = Files.createTempFile("tilefarm-upload-", ".bin");
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long n;
      try (InputStream in = new DigestInputStream(RequestBody.of(ex), sha);
           OutputStream out = Files.newOutputStream(tmp)) {
        n = copyLimited(in, out, MAX_UPLOAD_BYTES);
      }
      if (n == 0) {
        throw new Uploads.BadRequest("body", "is empty: send the image's bytes as the request body");
      }
      Uploads.Image image = Uploads.probe(tmp);
      S3Uri input = TileKeys.upload(blobs.settings().bucket(), HexFormat.of().formatHex(sha.digest()), image.ext());
      ObjectNode job = JobQuery.process(query, ops, input, newId());
      // A bad op or field, a chain that does not fit the image, a taken id: refused before the image is stored.
      JobRequest.Process request = (JobRequest.Process) JobCodec.decode(job, null);
      admission.checkUpload(request, image.width(), image.height());
      String id = request.id();
      FarmView.JobDetail existing = admission.claim(id, System.currentTimeMillis());
      if (existing != null) {
        return idTaken(ex, existing);
      }
      try {
        // Deleted again if the splitter rejects the job (the janitor follows the job's events).
        janitor.store(id, input, n, () -> blobs.putFile(input, tmp, Uploads.contentType(image.ext())));
        try {
          return publishJob(ex, job, request);
        } catch (RuntimeException | ExecutionException | TimeoutException | InterruptedException e) {
          janitor.abandon(id);
          throw e;
        }
      } catch (RuntimeException | ExecutionException | TimeoutException | InterruptedException e) {
        admission.release(id);
        throw e;
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static long copyLimited(InputStream in, OutputStream out, long max) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      total += n;
      if (total > max) {
        throw new Uploads.BadRequest("body", "the upload is larger than " + max + " bytes");
      }
      out.write(buf, 0, n);
    }
    return total;
  }

  private int cancel(HttpExchange ex, String id) throws IOException, InterruptedException, ExecutionException,
      TimeoutException {
    FarmView.JobDetail detail = view.job(id, false);
    if (detail == null) {
      return unknownJob(ex, id);
    }
    if (detail.job().endedAt() != null) {
      return error(ex, 409, null, "job " + id + " has already ended: " + detail.job().status());
    }
    String reason = null;
    byte[] body;
    try (InputStream in = RequestBody.of(ex)) {
      body = in.readNBytes(8192);
    }
    if (body.length > 0) {
      ObjectNode b = JobCodec.parse(body);
      reason = b.hasNonNull("reason") ? b.get("reason").asText() : null;
    }
    ObjectNode message = Json.MAPPER.createObjectNode();
    message.put("cancel", id);
    message.put("reason", reason != null ? reason : "cancelled through the HTTP API");
    JobCodec.cancelOf(message); // the same check the splitter makes, so a bad reason is a 400 here
    producer.send(new ProducerRecord<>(config.topics().jobs().name(), id, Json.MAPPER.writeValueAsBytes(message)))
        .get(30, TimeUnit.SECONDS);
    log.info("asked to cancel job {}", id);
    return json(ex, 202, Map.of("id", id, "status", "CANCEL_REQUESTED"));
  }

  /**
   * A schedule request ({@code kind}: pause, resume or reprioritize, whose body is {@code {"priority": N}}) for a job
   * that has not ended, published on the jobs topic as job-schedule.schema.json has it; the job's PAUSED, RESUMED or
   * PRIORITY event follows.
   */
  private int schedule(HttpExchange ex, String id, String kind) throws IOException, InterruptedException,
      ExecutionException, TimeoutException {
    FarmView.JobDetail detail = view.job(id, false);
    if (detail == null) {
      return unknownJob(ex, id);
    }
    if (detail.job().endedAt() != null) {
      return error(ex, 409, null, "job " + id + " has already ended: " + detail.job().status());
    }
    byte[] body;
    try (InputStream in = RequestBody.of(ex)) {
      body = in.readNBytes(8192);
    }
    ObjectNode message = Json.MAPPER.createObjectNode();
    message.put(kind, id);
    if (kind.equals("reprioritize")) {
      if (body.length == 0) {
        throw new Uploads.BadRequest("priority", "give the new priority as {\"priority\": N}, N from "
            + dev.tilefarm.schemas.JobSchedule.MIN_PRIORITY + " to " + dev.tilefarm.schemas.JobSchedule.MAX_PRIORITY);
      }
      ObjectNode b = JobCodec.parse(body);
      for (var names = b.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!name.equals("priority")) {
          throw new Uploads.BadRequest(name, "unknown field: the body takes only \"priority\"");
        }
      }
      if (b.has("priority")) {
        message.set("priority", b.get("priority"));
      }
    }
    JobCodec.scheduleOf(message); // the splitter's own check, so a bad priority is a 400 naming it here
    producer.send(new ProducerRecord<>(config.topics().jobs().name(), id, Json.MAPPER.writeValueAsBytes(message)))
        .get(30, TimeUnit.SECONDS);
    log.info("asked to {} job {}", kind, id);
    String status = switch (kind) {
      case "pause" -> "PAUSE_REQUESTED";
      case "resume" -> "RESUME_REQUESTED";
      default -> "PRIORITY_REQUESTED";
    };
    return json(ex, 202, Map.of("id", id, "status", status));
  }

  /**
   * Runs a FAILED or CANCELLED job again (see job-retry.schema.json): 202 once the request is on the jobs topic, its
   * new attempt following as ACCEPTED (or WAITING) on the job's events; 409 naming the job's status otherwise.
   */
  private int retry(HttpExchange ex, String id) throws IOException, InterruptedException, ExecutionException,
      TimeoutException {
    FarmView.JobDetail detail = view.job(id, false);
    if (detail == null) {
      return unknownJob(ex, id);
    }
    JobStatus status = detail.job().status();
    if (status != JobStatus.FAILED && status != JobStatus.CANCELLED) {
      return error(ex, 409, null, "job " + id + " is " + status + "; only a FAILED or CANCELLED job can be retried");
    }
    ObjectNode message = Json.MAPPER.createObjectNode().put("retry", id);
    producer.send(new ProducerRecord<>(config.topics().jobs().name(), id, Json.MAPPER.writeValueAsBytes(message)))
        .get(30, TimeUnit.SECONDS);
    log.info("asked to retry job {}", id);
    return json(ex, 202, Map.of("id", id, "status", "RETRY_REQUESTED", "events", "/api/jobs/" + id + "/events"));
  }

  private int output(HttpExchange ex, String id, boolean download) throws IOException {
    FarmView.JobSummary job = completed(ex, id);
    if (job == null) {
      return ex.getResponseCode();
    }
    return outputs.output(ex, id, view.completions(id), download);
  }

  /** Frame {@code frame} of an animation, once made: 400 naming {@code frame} if it is not one of the job's. */
  private int frame(HttpExchange ex, String id, int n, boolean download) throws IOException {
    FarmView.JobDetail detail = view.job(id, false);
    if (detail == null) {
      return unknownJob(ex, id);
    }
    JobRequest.Frames frames = view.frames(id);
    if (frames == null) {
      return error(ex, 400, "frame", "job " + id + " is no animation: it has no frames (GET without frame)");
    }
    if (n < frames.start() || n > frames.end() || (n - frames.start()) % frames.step() != 0) {
      return error(ex, 400, "frame", n + " is not one of job " + id + "'s frames (" + frames.start() + " to "
          + frames.end() + (frames.step() == 1 ? "" : " step " + frames.step()) + ")");
    }
    return outputs.frame(ex, id, n, detail.events(), download);
  }

  private int video(HttpExchange ex, String id, boolean download) throws IOException {
    FarmView.JobSummary job = completed(ex, id);
    if (job == null) {
      return ex.getResponseCode();
    }
    return outputs.video(ex, id, view.completions(id), download);
  }

  private int outputUrl(HttpExchange ex, String id) throws IOException {
    FarmView.JobSummary job = completed(ex, id);
    if (job == null) {
      return ex.getResponseCode();
    }
    return outputs.outputUrl(ex, id, view.completions(id));
  }

  /** The job if it completed; otherwise sends 404 or 409 and returns null. */
  private FarmView.JobSummary completed(HttpExchange ex, String id) throws IOException {
    FarmView.JobDetail detail = view.job(id, false);
    if (detail == null) {
      unknownJob(ex, id);
      return null;
    }
    if (detail.job().status() != JobStatus.COMPLETED) {
      error(ex, 409, null, "job " + id + " is " + detail.job().status() + ", not COMPLETED");
      return null;
    }
    return detail.job();
  }

  private int tile(HttpExchange ex, String id, int index) throws IOException {
    FarmView.JobDetail detail = view.job(id, true);
    boolean done = detail != null && detail.tiles().stream()
        .anyMatch(t -> t.index() == index && t.status() == FarmView.TileStatus.DONE);
    if (!done) {
      return error(ex, 404, null, "tile " + index + " of job " + id + " is not done");
    }
    byte[] png = TilePng.fromTileObject(blobs.get(TileKeys.tile(blobs.settings().bucket(), id, index)));
    // A tile's bytes are fixed by job and tile (retries write the same bytes), so browsers may keep it.
    ex.getResponseHeaders().set("Cache-Control", "private, max-age=86400, immutable");
    return send(ex, 200, "image/png", png);
  }

  /** The job's renderer logs (povray, blender keep one per tile): where each is, in tile order. */
  private int logs(HttpExchange ex, String id) throws IOException {
    String bucket = blobs.settings().bucket();
    String folder = TileKeys.logFolder(bucket, id).key();
    List<Map<String, Object>> logs = new java.util.ArrayList<>();
    for (BlobStore.Listed l : blobs.list(bucket, folder)) {
      String name = l.uri().key().substring(folder.length());
      if (name.matches("\\d{1,7}\\.log")) {
        int tile = Integer.parseInt(name.substring(0, name.length() - 4));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("tile", tile);
        entry.put("url", logUrl(id, tile));
        logs.add(entry);
      }
    }
    logs.sort(java.util.Comparator.comparingInt(m -> (Integer) m.get("tile")));
    return json(ex, 200, Map.of("logs", logs));
  }

  /** Where the API serves tile {@code tile}'s renderer log of job {@code id}. */
  static String logUrl(String id, int tile) {
    return "/api/jobs/" + id + "/logs?tile=" + tile;
  }

  private int tileLog(HttpExchange ex, String id, int tile) throws IOException {
    if (tile < 0) {
      throw new Uploads.BadRequest("tile", "must be 0 or more, got " + tile);
    }
    byte[] text;
    try {
      text = blobs.get(TileKeys.tileLog(blobs.settings().bucket(), id, tile));
    } catch (dev.tilefarm.store.BlobNotFoundException e) {
      return error(ex, 404, null, "no renderer log for tile " + tile + " of job " + id
          + ": only povray and blender tiles keep logs, once a worker has run them");
    }
    return send(ex, 200, "text/plain; charset=utf-8", text);
  }

  private int unknownJob(HttpExchange ex, String id) throws IOException {
    return error(ex, 404, null, "no job " + id + " is known (yet): it may still be on its way, or was never submitted");
  }

  // ---- Server-sent events ----

  private int stream(HttpExchange ex, String jobId) throws IOException, InterruptedException {
    SseStream stream = new SseStream(ex, jobId);
    streams.add(stream);
    try {
      stream.run(view);
    } finally {
      streams.remove(stream);
    }
    return 200;
  }

  void closeStreams() {
    for (SseStream s : new ArrayList<>(streams)) {
      s.close();
    }
  }

  // ---- Files ----

  private int staticFile(HttpExchange ex, String path) throws IOException {
    String name = path.equals("/") ? "index.html" : path.substring(1);
    if (name.contains("..") || !name.matches("[A-Za-z0-9._/-]+")) {
      return error(ex, 404, null, "no such file");
    }
    return resource(ex, "dashboard/" + name);
  }

  private int openApi(HttpExchange ex) throws IOException {
    byte[] document;
    try (InputStream in = Routes.class.getResourceAsStream("/openapi.yaml")) {
      document = in.readAllBytes();
    }
    String local = ex.getLocalAddress().getAddress().getHostAddress().replaceFirst("%.*", "");
    String fallback = (local.contains(":") ? "[" + local + "]" : local) + ":" + ex.getLocalAddress().getPort();
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    return send(ex, 200, STATIC_TYPES.get("yaml"), OpenApiDocument.servedFrom(document,
        ex.getRequestHeaders().getFirst("Host"), ex.getRequestHeaders().getFirst("X-Forwarded-Proto"), fallback));
  }

  private int resource(HttpExchange ex, String name) throws IOException {
    try (InputStream in = Routes.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        return error(ex, 404, null, "no such file: " + name);
      }
      String ext = name.substring(name.lastIndexOf('.') + 1);
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      return send(ex, 200, STATIC_TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
    }
  }

  // ---- Plumbing ----

  static int json(HttpExchange ex, int status, Object body) throws IOException {
    return send(ex, status, "application/json", JSON.writeValueAsBytes(body));
  }

  static int error(HttpExchange ex, int status, String field, String reason) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    if (field != null) {
      body.put("field", field);
    }
    body.put("reason", reason);
    try {
      return json(ex, status, body);
    } catch (IOException e) {
      return status;
    }
  }

  static int send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    return status;
  }

  static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return out;
  }

  /** An integer query parameter, or a 400 naming it. */
  static int intParam(Map<String, List<String>> query, String key, int fallback) {
    String v = first(query, key, null);
    try {
      return v == null ? fallback : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new Uploads.BadRequest(key, "must be an integer, got '" + v + "'");
    }
  }

  static String first(Map<String, List<String>> query, String key, String fallback) {
    List<String> v = query.get(key);
    return v == null || v.isEmpty() ? fallback : v.get(0);
  }
}
