package dev.tilefarm.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import dev.tilefarm.schemas.JobEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One server-sent-events response. For one job ({@code jobId} set) it sends a {@code snapshot} (the job
 * with its tiles and events so far; null if the job is not known yet), then each {@code job-event} exactly
 * as on the job events topic, each {@code tile} result and each {@code job} summary, and ends after the
 * job's terminal event. For the whole farm it sends {@code job}, {@code tile} and {@code dead-letter}
 * updates until the client leaves. A client too slow to keep up is disconnected (it reconnects and starts
 * from a fresh snapshot) rather than let its backlog grow without bound.
 */
final class SseStream implements FarmView.Listener {
  static final int MAX_QUEUED = 10_000;
  /** A comment line this often finds clients that went away, and keeps proxies from timing out. */
  static final long HEARTBEAT_MS = 15_000;
  private static final String END = "";
  private static final String OVERFLOW = "overflow";

  private final HttpExchange ex;
  private final String jobId;
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(MAX_QUEUED + 2);
  private volatile boolean closed;

  SseStream(HttpExchange ex, String jobId) {
    this.ex = ex;
    this.jobId = jobId;
  }

  void run(FarmView view) throws IOException, InterruptedException {
    String[] first = new String[1];
    boolean[] endedAlready = new boolean[1];
    // Subscribed before the headers go out: a client that has the response sees every later change.
    view.subscribe(jobId, snapshot -> {
      first[0] = frame("snapshot", snapshot);
      endedAlready[0] = snapshot != null && snapshot.job().endedAt() != null;
    }, this);
    OutputStream out = null;
    try {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      ex.getResponseHeaders().set("X-Accel-Buffering", "no");
      ex.sendResponseHeaders(200, 0);
      out = ex.getResponseBody();
      write(out, "retry: 3000\n\n");
      if (first[0] != null) {
        write(out, first[0]);
      }
      if (endedAlready[0]) {
        return;
      }
      while (!closed) {
        String frame = queue.poll(HEARTBEAT_MS, TimeUnit.MILLISECONDS);
        if (frame == null) {
          write(out, ": ping\n\n");
        } else if (frame == END || frame == OVERFLOW) {
          return;
        } else {
          write(out, frame);
        }
      }
    } finally {
      view.unsubscribe(this);
      if (out != null) {
        out.close();
      }
    }
  }

  @Override
  public void on(FarmView.Update update) {
    if (jobId != null && !jobId.equals(update.jobId())) {
      return;
    }
    String frame;
    switch (update) {
      case FarmView.JobChanged c -> frame = frame("job", c.job());
      case FarmView.EventSeen e -> {
        if (jobId == null) {
          return; // the farm-wide stream carries the resulting job summaries instead
        }
        frame = frame("job-event", e.event());
      }
      case FarmView.TileSeen t -> frame = frame("tile", new TileUpdate(t.jobId(), t.tile()));
      case FarmView.DeadLettered d -> {
        if (jobId != null) {
          return;
        }
        frame = frame("dead-letter", d.letter());
      }
    }
    if (queue.size() >= MAX_QUEUED) {
      queue.offer(OVERFLOW);
      return;
    }
    queue.offer(frame);
    if (jobId != null && update instanceof FarmView.JobChanged c && c.job().endedAt() != null) {
      queue.offer(END);
    }
  }

  /** A tile result with its job, as the {@code tile} event carries it. */
  record TileUpdate(String jobId, FarmView.TileView tile) {}

  private static String frame(String event, Object data) {
    try {
      String json = data instanceof JobEvent e
          ? Routes.JSON.writerFor(JobEvent.class).writeValueAsString(e)
          : Routes.JSON.writeValueAsString(data);
      return "event: " + event + "\ndata: " + json + "\n\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("encoding an SSE event", e);
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  void close() {
    closed = true;
    queue.offer(END);
  }
}
