package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileMaker;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the farm on the embedded stack, each figure side by side with its reference in the same run,
 * and writes the pipeline section of BENCHMARKS.md. Every figure is repeated {@code --runs} times and
 * reported as median (min – max): this machine is shared and noisy, so ratios matter, not seconds.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure the farm against its references (pipeline vs direct, farm vs raw Kafka and S3) and "
        + "write the results to BENCHMARKS.md. Takes several minutes; --quick takes about one.")
final class BenchCommand implements Callable<Integer> {
  static final String START = "<!-- pipeline-bench:start -->";
  static final String END = "<!-- pipeline-bench:end -->";

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "BENCHMARKS.md", description = "report to update")
  Path out;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "repetitions of each figure")
  int runs;

  @Option(names = "--quick", description = "small sizes, for a smoke run")
  boolean quick;

  @Option(names = "--only", paramLabel = "SECTION", split = ",",
      description = "run only these: startup, overhead, latency, throughput, processing, scaling, memory")
  List<String> only;

  private final List<String> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private Path scratch;
  private final int threads = Runtime.getRuntime().availableProcessors();

  @Override
  public Integer call() throws Exception {
    scratch = Files.createTempDirectory("tilefarm-bench");
    if (wanted("startup")) {
      startup();
    }
    if (wanted("overhead") || wanted("latency") || wanted("throughput") || wanted("processing")) {
      try (Farm farm = farm("main", 1, threads)) {
        if (wanted("overhead")) {
          overhead(farm, quick ? 0.5 : 2, "~2 s", 1.5);
          overhead(farm, quick ? 2 : 20, "~20 s", 1.10);
        }
        if (wanted("latency")) {
          latency(farm);
        }
        if (wanted("throughput")) {
          throughput(farm);
        }
        if (wanted("processing")) {
          processing(farm);
        }
      }
    }
    if (wanted("scaling")) {
      scaling();
    }
    if (wanted("memory")) {
      memory();
    }
    write();
    System.out.println("wrote " + out.toAbsolutePath());
    return 0;
  }

  private boolean wanted(String section) {
    return only == null || only.contains(section);
  }

  private Farm farm(String name, int workers, int workerThreads) throws Exception {
    return farm(name, workers, workerThreads, true);
  }

  /** An embedded farm; without {@code roles}, just the broker and the S3 server. */
  private Farm farm(String name, int workers, int workerThreads, boolean roles) throws Exception {
    Map<String, String> flags = new HashMap<>();
    flags.put("data.dir", scratch.resolve(name + "-" + System.nanoTime()).toString());
    flags.put("worker.threads", String.valueOf(workerThreads));
    Settings settings = Settings.load(flags, Map.of(), null);
    return Farm.startEmbedded(settings, workers, roles, 0, 0, new Progress(System.err, false, true));
  }

  // ---- start-up -------------------------------------------------------------------------------

  private void startup() throws Exception {
    // In fresh JVMs, as a user meets it: first without, then with an application class-data archive
    // (AppCDS, which the tilefarm launcher creates on first run), side by side.
    Path archive = scratch.resolve("tilefarm.jsa");
    probe(List.of("-XX:ArchiveClassesAtExit=" + archive));
    BenchStats plain = new BenchStats();
    BenchStats cds = new BenchStats();
    BenchStats plainAccepting = new BenchStats();
    BenchStats cdsAccepting = new BenchStats();
    for (int i = 0; i < runs; i++) {
      double[] p = probe(List.of());
      plainAccepting.add(p[0]);
      plain.add(p[1]);
      double[] c = probe(List.of("-XX:SharedArchiveFile=" + archive));
      cdsAccepting.add(c[0]);
      cds.add(c[1]);
    }
    BenchStats inProcess = new BenchStats();
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      try (Farm f = farm("startup", 1, threads)) {
        inProcess.add((System.nanoTime() - t0) / 1e6);
      }
    }
    rows.add(row("Start-up: JVM start → embedded stack accepting a job (every role running)",
        "with AppCDS: " + cdsAccepting.summary("%.0f ms") + " (" + cds.summary("%.0f ms") + ")",
        "without AppCDS: " + plainAccepting.summary("%.0f ms") + " (" + plain.summary("%.0f ms") + ")",
        String.format(Locale.ROOT, "%.2fx (%.2fx)", cdsAccepting.median() / plainAccepting.median(),
            cds.median() / plain.median()),
        "< 3 s after JVM start", cdsAccepting.median() < 3000));
    notes.add(String.format(Locale.ROOT, "**Start-up** is measured in fresh JVMs (`tilefarm startup-probe`) on a new "
        + "data directory, from the JVM's start to two moments: *accepting a job*, when the broker is formatted and "
        + "started, the S3 server is up and the bucket and topics exist, so a job published then is kept and made as "
        + "soon as the roles run (the aim is marked on this one); and *every role running*: splitter and compositor "
        + "RUNNING in their groups with their state stores open, a worker subscribed (%.0f ms with AppCDS). Most of "
        + "a cold start is class loading and interpretation; the broker and S3 server, and then the roles, start "
        + "side by side. The launcher keeps an AppCDS archive (created on its first run) so later runs map classes "
        + "instead of parsing them. A second start of the whole farm inside an already warm JVM takes %s.",
        cds.median(), inProcess.summary("%.0f ms")));
  }

  /**
   * Runs a startup probe in a child JVM with extra options; returns when it was accepting jobs and when every role
   * ran, in ms after the JVM's start.
   */
  private double[] probe(List<String> jvmOptions) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-Xlog:cds=off");
    cmd.add("-Xlog:cds+dynamic=off");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("startup-probe");
    cmd.add("--data-dir");
    cmd.add(scratch.resolve("probe-" + System.nanoTime()).toString());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0 || !out.contains("ready-ms=") || !out.contains("accepting-ms=")) {
      throw new IllegalStateException("startup probe failed (exit " + p.exitValue() + "): " + out);
    }
    return new double[] {probeValue(out, "accepting-ms="), probeValue(out, "ready-ms=")};
  }

  private static double probeValue(String out, String name) {
    return Double.parseDouble(out.substring(out.indexOf(name) + name.length()).trim().split("\\s")[0]);
  }

  // ---- pipeline overhead ----------------------------------------------------------------------

  private ObjectNode spheresJob(String id, int width, int height, int samples) throws IOException {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("id", id);
    job.put("type", "render");
    job.put("renderer", "builtin");
    job.put("width", width);
    job.put("height", height);
    job.put("samples", samples);
    job.put("seed", 1);
    try (InputStream in = BenchCommand.class.getResourceAsStream("/examples/scenes/spheres.json")) {
      job.set("scene", Json.MAPPER.readTree(in));
    }
    return job;
  }

  private static ObjectNode tiled(ObjectNode job, int tileSize) {
    job.put("tileSize", tileSize);
    return job;
  }

  /** The same job rendered in this process, tile by tile on a pool of {@code threads}, then encoded as PNG. */
  private double direct(ObjectNode json, int poolThreads) throws Exception {
    JobRequest job = JobCodec.decode(json.deepCopy(), json.get("id").asText());
    int w = json.get("width").asInt();
    int h = json.get("height").asInt();
    TileMaker maker = new TileMaker(uri -> {
      throw new IllegalStateException("no inputs in a render job");
    }, 1 << 20);
    long t0 = System.nanoTime();
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] dst = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    int band = 16;
    ExecutorService pool = Executors.newFixedThreadPool(poolThreads);
    try {
      List<Future<?>> parts = new ArrayList<>();
      for (int y = 0; y < h; y += band) {
        TileRect rect = new TileRect(y / band, 0, y, w, Math.min(band, h - y));
        parts.add(pool.submit(() -> {
          TileImage t = maker.make(job, rect, w, h);
          byte[] src = t.pixels();
          for (int i = 0, o = rect.y() * w * 3; i < src.length; i += 3, o += 3) {
            dst[o] = src[i + 2];
            dst[o + 1] = src[i + 1];
            dst[o + 2] = src[i];
          }
          return null;
        }));
      }
      for (Future<?> f : parts) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(image, "png", png);
    return (System.nanoTime() - t0) / 1e6;
  }

  private void overhead(Farm farm, double targetSeconds, String label, double aim) throws Exception {
    int w = quick ? 320 : 640;
    int h = quick ? 180 : 360;
    // Calibrate: pick the sample count that makes the direct render take about the target time (after a
    // throwaway render, so that the JIT has compiled the tracer and the probe is not inflated by it).
    direct(spheresJob("warm-up-" + System.nanoTime(), w, h, 4), threads);
    double probe = direct(spheresJob("calibrate-" + System.nanoTime(), w, h, 4), threads);
    int samples = Math.max(1, (int) Math.round(4 * targetSeconds * 1000 / probe));
    BenchStats pipeline = new BenchStats();
    BenchStats reference = new BenchStats();
    BenchStats ratio = new BenchStats();
    JobEvent.Completed last = null;
    // And the same throwaway run through the farm, so that its first timed job does not pay for the JIT either.
    completed(one(farm, tiled(spheresJob("overhead-warm-up-" + System.nanoTime(), w, h, 4), 64)));
    for (int i = 0; i < runs; i++) {
      double d = direct(spheresJob("direct-" + System.nanoTime(), w, h, samples), threads);
      long t0 = System.nanoTime();
      // 64-pixel tiles: enough of them that both render threads stay busy to the end.
      JobEvent end = one(farm, tiled(spheresJob("overhead-" + System.nanoTime(), w, h, samples), 64));
      double p = (System.nanoTime() - t0) / 1e6;
      last = completed(end);
      pipeline.add(p);
      reference.add(d);
      ratio.add(p / d);
    }
    rows.add(row("Pipeline overhead, " + label + " render job (" + w + "x" + h + ", " + samples + " spp)",
        pipeline.summary("%.0f ms"), "direct in-process, " + threads + " threads: " + reference.summary("%.0f ms"),
        ratio.summary("%.2fx"), "≤ " + aim + "x", ratio.median() <= aim));
    notes.add(String.format(Locale.ROOT, "**Overhead %s**: of the last pipeline run's %d ms, the compositor's "
        + "assembly took %d ms and the workers' render time summed over tiles was %d ms (%d threads); the rest is "
        + "queueing through three topics and two exactly-once commits (splitter every 50 ms, compositor every 100 ms).",
        label, last.timings().total(), last.timings().assemble(), last.timings().render(), threads));
  }

  // ---- latency ----------------------------------------------------------------------------------

  private void latency(Farm farm) throws Exception {
    int n = quick ? 10 : Math.max(30, runs * 20);
    BenchStats total = new BenchStats();
    BenchStats toAccepted = new BenchStats();
    BenchStats toTile = new BenchStats();
    BenchStats toCompleted = new BenchStats();
    BenchStats toClient = new BenchStats();
    BenchStats assemble = new BenchStats();
    Map<String, long[]> marks = new HashMap<>(); // id -> {submit, accepted, completed event, received}
    try (JobClient client = new JobClient(farm.settings())) {
      for (int i = 0; i < n + 3; i++) {
        ObjectNode job = Json.MAPPER.createObjectNode();
        String id = "latency-" + System.nanoTime();
        job.put("id", id);
        job.put("type", "render");
        job.put("renderer", "mandelbrot");
        job.put("width", 64);
        job.put("height", 64);
        var from = client.eventPositions();
        long[] m = new long[4];
        m[0] = System.currentTimeMillis();
        long t0 = System.nanoTime();
        client.submit(job);
        Map<String, JobEvent> ends = client.await(List.of(id), java.util.Set.of(), from, Duration.ofMinutes(2), e -> {
          if (e instanceof JobEvent.Accepted a) {
            m[1] = a.timestamp();
          } else if (e instanceof JobEvent.Completed c) {
            m[2] = c.timestamp();
            m[3] = System.currentTimeMillis();
          }
        });
        JobEvent.Completed c = completed(ends.get(id));
        if (i >= 3) { // the first few warm up the JIT and the connections
          total.add((System.nanoTime() - t0) / 1e6);
          assemble.add(c.timings().assemble());
          marks.put(id, m);
        }
      }
    }
    Map<String, Long> tileAt = tileResultTimes(farm, marks.keySet());
    marks.forEach((id, m) -> {
      toAccepted.add(m[1] - m[0]);
      Long t = tileAt.get(id);
      if (t != null) {
        toTile.add(t - m[1]);
        toCompleted.add(m[2] - t);
      }
      toClient.add(m[3] - m[2]);
    });
    rows.add(row("Latency: submit → COMPLETED, one-tile job (p50; " + n + " jobs)",
        String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms", total.percentile(50), total.percentile(99)),
        "assembly alone: p50 " + String.format(Locale.ROOT, "%.0f ms", assemble.percentile(50)), "—",
        "p50 < 100 ms", total.percentile(50) < 100));
    notes.add(String.format(Locale.ROOT, "**Latency** (client-side wall time, publish to COMPLETED read back, "
        + "read_committed): min %.0f ms, p50 %.0f ms, p99 %.0f ms, max %.0f ms. Per hop (p50, from the events' "
        + "timestamps and the tile result's record time): client → splitter ACCEPTED %.0f ms; ACCEPTED → worker "
        + "published the tile result %.0f ms; tile result → compositor COMPLETED %.0f ms (assembly %.0f ms of it); "
        + "COMPLETED → client read it %.0f ms. Bottleneck: %s.",
        total.min(), total.percentile(50), total.percentile(99), total.max(), toAccepted.percentile(50),
        toTile.isEmpty() ? Double.NaN : toTile.percentile(50), toCompleted.isEmpty() ? Double.NaN : toCompleted.percentile(50),
        assemble.percentile(50), toClient.percentile(50), bottleneck(toAccepted, toTile, toCompleted, toClient)));
  }

  private static String bottleneck(BenchStats accepted, BenchStats tile, BenchStats completed, BenchStats client) {
    String[] names = {"the splitter hop (a job is visible downstream only after the splitter's transaction commits)",
        "the worker hop (share-group fetch of the task, render, tile put, result publish)",
        "the compositor hop (fetch of the result, assembly, transaction commit)",
        "the client's read of the event (visible after the compositor's commit)"};
    BenchStats[] all = {accepted, tile, completed, client};
    int worst = 0;
    for (int i = 1; i < all.length; i++) {
      if (!all[i].isEmpty() && all[i].percentile(50) > all[worst].percentile(50)) {
        worst = i;
      }
    }
    return names[worst];
  }

  /** When each job's (single) tile result was published: the record's create time on the results topic. */
  private static Map<String, Long> tileResultTimes(Farm farm, java.util.Set<String> ids) {
    Map<String, Long> out = new HashMap<>();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, farm.settings().bootstrapServers());
    String topic = farm.settings().topics().tileResults().name();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (var r : c.poll(Duration.ofMillis(200))) {
          String key = r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
          if (key != null && ids.contains(key)) {
            out.putIfAbsent(key, r.timestamp());
          }
        }
      }
    }
    return out;
  }

  // ---- throughput -------------------------------------------------------------------------------

  private void throughput(Farm farm) throws Exception {
    int side = quick ? 512 : 2048;
    int tile = 16;
    int tiles = (side / tile) * (side / tile);
    BenchStats farmRate = new BenchStats();
    BenchStats kafkaRate = new BenchStats();
    BenchStats s3Rate = new BenchStats();
    for (int i = 0; i < runs; i++) {
      ObjectNode job = mandelbrotJob("throughput", side, tile, 1);
      long t0 = System.nanoTime();
      completed(one(farm, job));
      farmRate.add(tiles / ((System.nanoTime() - t0) / 1e9));
      kafkaRate.add(rawKafka(farm, tiles));
      s3Rate.add(rawS3(farm, Math.min(tiles, quick ? 500 : 3000)));
    }
    double slower = Math.min(kafkaRate.median(), s3Rate.median());
    rows.add(row("Tile throughput, " + tiles + " cheap tiles (" + tile + "x" + tile + ")",
        farmRate.summary("%.0f tiles/s"), "raw Kafka produce+consume " + kafkaRate.summary("%.0f/s") + "; raw S3 put+get "
            + s3Rate.summary("%.0f/s"), String.format(Locale.ROOT, "%.2f of the slower", farmRate.median() / slower),
        "≥ 0.5 of the slower raw limit and ≥ 1000 tiles/s",
        farmRate.median() >= 0.5 * slower && farmRate.median() >= 1000));
    notes.add("**Throughput**: each tile costs one task record, one tile object put, one result record and, at "
        + "assembly, one get. The raw limits are measured in the same run on the same broker and S3 server: Kafka as "
        + "records of a tile task's size produced and read back by one client; S3 as " + threads
        + " threads each putting then getting objects of a cheap tile's size.");
  }

  private double rawKafka(Farm farm, int n) throws Exception {
    String topic = "bench-raw-" + System.nanoTime();
    String bootstrap = farm.settings().bootstrapServers();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1))).all().get();
    }
    byte[] value = new byte[600]; // about a tile task with its inline job
    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    long t0 = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < n; i++) {
        p.send(new ProducerRecord<>(topic, value));
      }
      p.flush();
    }
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      int got = 0;
      while (got < n) {
        got += c.poll(Duration.ofMillis(200)).count();
      }
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  private double rawS3(Farm farm, int n) throws Exception {
    byte[] object = new byte[200]; // a deflated 16x16 cheap tile
    String prefix = "bench/raw-" + System.nanoTime() + "/";
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long t0 = System.nanoTime();
    try {
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int from = t * n / threads;
        int to = (t + 1) * n / threads;
        parts.add(pool.submit(() -> {
          for (int i = from; i < to; i++) {
            S3Uri uri = farm.blobs().uri(prefix + i);
            farm.blobs().put(uri, object, "application/octet-stream");
            farm.blobs().get(uri);
          }
          return null;
        }));
      }
      for (Future<?> f : parts) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  // ---- image processing ---------------------------------------------------------------------------

  private static final double CANNY_LOW = 50;
  private static final double CANNY_HIGH = 150;

  private void processing(Farm farm) throws Exception {
    nu.pattern.OpenCV.loadLocally();
    int side = quick ? 1024 : 8192;
    Mat photo = new Mat(side, side, CvType.CV_8UC3);
    Core.randu(photo, 0, 256);
    Imgproc.GaussianBlur(photo, photo, new Size(9, 9), 3);
    for (int i = 0; i < 40; i++) {
      Imgproc.circle(photo, new Point((i * 7919) % side, (i * 104729) % side), side / 20 + i * 3,
          new Scalar(i * 37 % 256, i * 91 % 256, i * 53 % 256), -1);
    }
    MatOfByte png = new MatOfByte();
    Imgcodecs.imencode(".png", photo, png);
    byte[] bytes = png.toArray();
    photo.release();
    S3Uri input = farm.blobs().uri("bench/photo-" + side + ".png");
    farm.blobs().put(input, bytes, "image/png");
    BenchStats pipeline = new BenchStats();
    BenchStats reference = new BenchStats();
    BenchStats ratio = new BenchStats();
    JobEvent.Completed last = null;
    for (int i = 0; i < runs; i++) {
      MatOfByte encoded;
      long d0 = System.nanoTime();
      Mat m = Imgcodecs.imdecode(new MatOfByte(bytes), Imgcodecs.IMREAD_UNCHANGED);
      Mat blurred = new Mat();
      Imgproc.GaussianBlur(m, blurred, new Size(13, 13), 2, 2);
      Mat gray = new Mat();
      Imgproc.cvtColor(blurred, gray, Imgproc.COLOR_BGR2GRAY);
      Mat edges = new Mat();
      Imgproc.Canny(gray, edges, CANNY_LOW, CANNY_HIGH);
      encoded = new MatOfByte();
      Imgcodecs.imencode(".png", edges, encoded);
      double d = (System.nanoTime() - d0) / 1e6;
      m.release();
      blurred.release();
      gray.release();
      edges.release();
      ObjectNode job = Json.MAPPER.createObjectNode();
      job.put("id", "processing-" + System.nanoTime());
      job.put("type", "process");
      job.put("input", input.toString());
      job.put("tileSize", 512);
      var ops = job.putArray("ops");
      ops.addObject().put("op", "gaussian-blur").put("sigma", 2.0);
      ops.addObject().put("op", "grayscale");
      ops.addObject().put("op", "canny").put("low", CANNY_LOW).put("high", CANNY_HIGH);
      long t0 = System.nanoTime();
      JobEvent.Completed done = completed(one(farm, job));
      double p = (System.nanoTime() - t0) / 1e6;
      last = done;
      if (i == 0) {
        sameAsDirect(farm.blobs().get(done.output()), encoded);
      }
      encoded.release();
      pipeline.add(p);
      reference.add(d);
      ratio.add(p / d);
    }
    rows.add(row("Image processing, " + side + "x" + side + " photo-like PNG, blur + grayscale + Canny edges",
        pipeline.summary("%.0f ms"), "OpenCV in one process (decode, blur, grayscale, Canny, encode): "
            + reference.summary("%.0f ms"), ratio.summary("%.2fx"), "≤ 1.5x", ratio.median() <= 1.5));
    notes.add("**Image processing**: the chain is gaussian-blur(σ=2), grayscale, canny(" + (int) CANNY_LOW + ", "
        + (int) CANNY_HIGH + ") on both sides, and the farm's output is byte-equal to the direct one. Canny's "
        + "hysteresis follows edges across the whole image, so on the farm it runs in two passes: edge candidates "
        + "labelled per tile and joined across tile borders by the compositor, then drawn. Each pass's workers "
        + "read and decode the input once per worker (cached for the job's other tiles); the compositor writes "
        + "the PNG with its streaming encoder. Of the last farm run's " + last.timings().total() + " ms, the final "
        + "assembly (reading the tiles, PNG encoding, storing) took " + last.timings().assemble() + " ms and the "
        + "workers' time summed over the last pass's tiles " + last.timings().render() + " ms (" + threads
        + " threads).");
  }

  /** Fails the benchmark unless the farm's image has the same pixels as the direct one: a fast wrong answer is no answer. */
  private static void sameAsDirect(byte[] farmPng, MatOfByte directPng) {
    Mat a = Imgcodecs.imdecode(new MatOfByte(farmPng), Imgcodecs.IMREAD_UNCHANGED);
    Mat b = Imgcodecs.imdecode(directPng, Imgcodecs.IMREAD_UNCHANGED);
    try {
      if (a.rows() != b.rows() || a.cols() != b.cols() || a.type() != b.type()) {
        throw new IllegalStateException("the farm's processed image is " + a.cols() + "x" + a.rows() + " type "
            + a.type() + ", the direct one " + b.cols() + "x" + b.rows() + " type " + b.type());
      }
      Mat diff = new Mat();
      Core.absdiff(a, b, diff);
      int differing = Core.countNonZero(diff.reshape(1));
      diff.release();
      if (differing != 0) {
        throw new IllegalStateException("the farm's processed image differs from OpenCV's in " + differing
            + " pixel channels");
      }
    } finally {
      a.release();
      b.release();
    }
  }

  // ---- scaling -------------------------------------------------------------------------------------

  private void scaling() throws Exception {
    int w = quick ? 320 : 480;
    int h = quick ? 180 : 270;
    direct(spheresJob("warm-up-" + System.nanoTime(), w, h, 4), 1);
    double probe = direct(spheresJob("calibrate-" + System.nanoTime(), w, h, 4), 1);
    int samples = Math.max(1, (int) Math.round(4 * (quick ? 2000 : 8000) / probe));
    BenchStats one = new BenchStats();
    BenchStats two = new BenchStats();
    // The farm's other roles run here; the workers are `tilefarm worker` processes of one render thread each.
    try (Farm farm = farm("scale", 0, 1)) {
      for (int i = 0; i < runs; i++) {
        one.add(withWorkerProcesses(farm, 1, () -> completedJob(farm,
            tiled(spheresJob("scale1-" + System.nanoTime(), w, h, samples), 32))));
        two.add(withWorkerProcesses(farm, 2, () -> completedJob(farm,
            tiled(spheresJob("scale2-" + System.nanoTime(), w, h, samples), 32))));
      }
    }
    double s = one.median() / two.median();
    rows.add(row("Scaling: one vs two worker processes on a CPU-bound render (" + w + "x" + h + ", " + samples + " spp)",
        String.format(Locale.ROOT, "%.2fx", s), "1 worker process: " + one.summary("%.0f ms") + "; 2 worker processes: "
            + two.summary("%.0f ms"), String.format(Locale.ROOT, "%.2fx", s), "≥ 1.8x", s >= 1.8));
    notes.add("**Scaling**: `tilefarm worker --threads 1` processes (separate JVMs, warmed up on a first job before "
        + "the timed one), one against two, sharing the tiles through the share group; the broker, S3 server, "
        + "splitter and compositor run in the bench's JVM on the same " + threads + " cores, so the ideal on this "
        + "machine is below 2x by their load.");
  }

  /** A timed job body. */
  private interface Timed {
    void run() throws Exception;
  }

  private void completedJob(Farm farm, ObjectNode job) throws Exception {
    completed(one(farm, job));
  }

  /** Starts {@code n} worker processes, warms them up on a small job, then times {@code body}; stops them after. */
  private double withWorkerProcesses(Farm farm, int n, Timed body) throws Exception {
    Settings s = farm.settings();
    List<Process> workers = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        workers.add(roleProcess(farm, List.of(), "worker", "--threads", "1", "--id", "bench-worker-" + i));
      }
      ObjectNode warm = spheresJob("warm-" + System.nanoTime(), 64, 64, 4);
      warm.put("tileSize", 16);
      completed(one(farm, warm));
      long t0 = System.nanoTime();
      body.run();
      return (System.nanoTime() - t0) / 1e6;
    } finally {
      for (Process p : workers) {
        p.destroy(); // SIGTERM: the worker settles its tiles and leaves the share group
      }
      for (Process p : workers) {
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  /**
   * Starts {@code tilefarm ROLE} in a JVM of its own (with {@code jvmOptions}) against the farm's broker and S3
   * server, and returns once it says it is ready.
   */
  private static Process roleProcess(Farm farm, List<String> jvmOptions, String role, String... args)
      throws IOException, InterruptedException {
    Settings s = farm.settings();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), role));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--bootstrap-server", s.bootstrapServers(), "--s3-endpoint", s.s3Endpoint().toString(),
        "--s3-access-key", s.s3AccessKey(), "--s3-secret-key", s.s3SecretKey(), "--bucket", s.bucket(),
        "--data-dir", s.dataDir().toString()));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
        java.nio.charset.StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("ready")) {
      // wait for the role to say it runs
    }
    if (line == null) {
      p.destroyForcibly();
      throw new IllegalStateException("tilefarm " + role + " exited before it was ready (exit " + p.waitFor() + ")");
    }
    // Keep reading what it prints, so that a full pipe never blocks it.
    Thread drain = new Thread(() -> {
      try {
        out.transferTo(java.io.Writer.nullWriter());
      } catch (IOException e) {
        // the process ended
      }
    }, "bench-" + role + "-stdout");
    drain.setDaemon(true);
    drain.start();
    return p;
  }

  /** A process's resident memory in bytes: its peak ({@code VmHWM}) or current ({@code VmRSS}); -1 off Linux. */
  private static long residentBytes(Process p, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(p.pid()), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  // ---- memory ----------------------------------------------------------------------------------------

  /** The compositor's heap limit in the memory benchmark: well below the image, so that only streaming fits. */
  private static final int COMPOSITOR_HEAP_MB = 256;

  private void memory() throws Exception {
    int side = quick ? 4096 : 16384;
    int tile = quick ? 512 : 1024;
    // Broker and S3 server here; splitter, compositor and one worker each in a JVM of its own, whose memory the
    // operating system reports.
    try (Farm farm = farm("memory", 0, threads, false)) {
      List<Process> roles = new ArrayList<>();
      try {
        roles.add(roleProcess(farm, List.of(), "splitter"));
        Process compositor = roleProcess(farm, List.of("-Xmx" + COMPOSITOR_HEAP_MB + "m"), "compositor");
        roles.add(compositor);
        Process worker = roleProcess(farm, List.of(), "worker", "--threads", String.valueOf(threads), "--id",
            "bench-memory-worker");
        roles.add(worker);
        long compositorBefore = residentBytes(compositor, "VmRSS");
        long workerBefore = residentBytes(worker, "VmRSS");
        ObjectNode job = mandelbrotJob("memory", side, tile, 8);
        JobEvent.Completed c = completed(one(farm, job));
        long compositorPeak = residentBytes(compositor, "VmHWM");
        long workerPeak = residentBytes(worker, "VmHWM");
        long image = (long) side * side * 3;
        rows.add(row("Memory: compositor process assembling " + side + "x" + side + " (" + tile
            + "-pixel tiles; heap limit " + COMPOSITOR_HEAP_MB + " MB)",
            String.format(Locale.ROOT, "peak resident %.0f MB (%.0f MB before the job); worker on %dx%d tiles: "
                + "peak resident %.0f MB (%.0f MB before)", compositorPeak / 1e6, compositorBefore / 1e6, tile, tile,
                workerPeak / 1e6, workerBefore / 1e6),
            String.format(Locale.ROOT, "the image itself: %.0f MB of RGB", image / 1e6), "—",
            "compositor < 512 MB peak", compositorPeak > 0 && compositorPeak < 512e6));
        notes.add(String.format(Locale.ROOT, "**Memory**: the splitter, the compositor and one worker (%d threads) "
            + "run as `tilefarm splitter|compositor|worker` processes of their own; the figures are each process's "
            + "peak resident set as Linux reports it (VmHWM: heap, metaspace, code, thread stacks, RocksDB and every "
            + "other native allocation), and its resident set just before the job. The compositor runs with a "
            + "%d MB heap limit, so assembling the %.0f MB image at all shows that it streams: it holds one band of "
            + "tiles and one row at a time and writes the PNG as it goes (assembly took %d ms). A worker holds the "
            + "tiles it makes, %dx%d RGB = %.1f MB each, and their encoded copies.", threads,
            COMPOSITOR_HEAP_MB, image / 1e6, c.timings().assemble(), tile, tile, tile * tile * 3 / 1e6));
      } finally {
        for (Process p : roles) {
          p.destroy();
        }
        for (Process p : roles) {
          if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        }
      }
    }
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  private static long heapPeak() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  /** A square mandelbrot job with a fresh id: cheap tiles, whose cost {@code iterations} sets. */
  private static ObjectNode mandelbrotJob(String name, int side, int tile, int iterations) {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("id", name + "-" + System.nanoTime());
    job.put("type", "render");
    job.put("renderer", "mandelbrot");
    job.put("width", side);
    job.put("height", side);
    job.put("tileSize", tile);
    job.putObject("scene").put("iterations", iterations);
    return job;
  }

  private static JobEvent one(Farm farm, ObjectNode job) throws Exception {
    return JobRunner.run(farm, List.of(job), Duration.ofMinutes(20), new Progress(System.err, false, true))
        .values().iterator().next();
  }

  private static JobEvent.Completed completed(JobEvent end) {
    if (end instanceof JobEvent.Completed c) {
      return c;
    }
    throw new IllegalStateException("benchmark job did not complete: " + JobRunner.describe(end));
  }

  private static String row(String figure, String measured, String reference, String ratio, String aim,
      boolean reached) {
    return "| " + figure + " | " + measured + " | " + reference + " | " + ratio + " | " + aim + " | "
        + (reached ? "**reached**" : "not reached") + " |";
  }

  private void write() throws IOException {
    Runtime rt = Runtime.getRuntime();
    StringBuilder sb = new StringBuilder();
    sb.append(START).append("\n## Pipeline\n\n");
    sb.append("Produced by `").append(commandLine()).append("` on ").append(Instant.now()).append(".\n\n");
    sb.append("Machine: ").append(threads).append(" cores, ")
        .append(String.format(Locale.ROOT, "%.1f GB max heap", rt.maxMemory() / 1e9)).append(", ")
        .append(System.getProperty("java.vm.name")).append(" ").append(System.getProperty("java.version")).append(", ")
        .append(System.getProperty("os.name")).append(" ").append(System.getProperty("os.arch"))
        .append("; Kafka ").append(AppInfoParser.getVersion()).append(" (embedded KRaft broker), S3Proxy (filesystem "
            + "backend), all in one JVM. Each figure: median (min – max) of ").append(runs)
        .append(" runs, measured side by side with its reference in the same run.\n\n");
    sb.append("| figure | measured | reference (same run) | ratio | aim | |\n|---|---|---|---|---|---|\n");
    rows.forEach(r -> sb.append(r).append('\n'));
    sb.append('\n');
    notes.forEach(n -> sb.append("- ").append(n).append('\n'));
    sb.append(END).append('\n');
    String section = sb.toString();
    String text = Files.exists(out) ? Files.readString(out) : "# Benchmarks\n\n";
    int a = text.indexOf(START);
    int b = text.indexOf(END);
    if (a >= 0 && b > a) {
      text = text.substring(0, a) + section + text.substring(b + END.length() + (text.length() > b + END.length()
          && text.charAt(b + END.length()) == '\n' ? 1 : 0));
    } else {
      text = text + (text.endsWith("\n\n") ? "" : "\n") + section;
    }
    Files.writeString(out, text);
  }

  private String commandLine() {
    StringBuilder sb = new StringBuilder("./tilefarm bench");
    if (quick) {
      sb.append(" --quick");
    }
    sb.append(" --runs ").append(runs);
    if (only != null) {
      sb.append(" --only ").append(String.join(",", only));
    }
    return sb.toString();
  }
}
