package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.bench.pipeline.Bench;
import dev.tilefarm.bench.pipeline.BenchFarm;
import dev.tilefarm.bench.pipeline.PipelineReport;
import dev.tilefarm.bench.pipeline.PipelineSections;
import dev.tilefarm.bench.pipeline.Section;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.store.BlobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs the pipeline benchmark's sections (module {@code bench}) on embedded farms and writes their figures into
 * BENCHMARKS.md. Every figure is repeated {@code --runs} times and reported as median (min – max): this machine is
 * shared and noisy, so ratios matter, not seconds.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure the farm against its references (pipeline vs direct, farm vs raw Kafka and S3) and "
        + "write the results to BENCHMARKS.md. Takes several minutes; --quick takes about one.")
final class BenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "BENCHMARKS.md", description = "report to update")
  Path out;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "repetitions of each figure")
  int runs;

  @Option(names = "--quick", description = "small sizes, for a smoke run")
  boolean quick;

  @Option(names = {"--sections", "--only"}, paramLabel = "SECTION", split = ",",
      completionCandidates = SectionNames.class,
      description = "run only these: ${COMPLETION-CANDIDATES} (--only is the older name)")
  List<String> sections;

  /** The sections' names, for the help text. */
  static final class SectionNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return PipelineSections.names().iterator();
    }
  }

  @Override
  public Integer call() throws Exception {
    List<Section> chosen;
    try {
      chosen = PipelineSections.select(sections);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    List<Section.Result> results = new ArrayList<>();
    try (EmbeddedBench bench = new EmbeddedBench(runs, quick, Files.createTempDirectory("tilefarm-bench"))) {
      for (Section section : chosen) {
        if (!section.sharesFarm()) {
          bench.stopSharedFarm(); // it measures alone
        }
        results.add(section.run(bench));
      }
    }
    String report = PipelineReport.section(commandLine(), Instant.now(), runs, results);
    Files.writeString(out, PipelineReport.merge(Files.exists(out) ? Files.readString(out) : null, report));
    System.out.println("wrote " + out.toAbsolutePath());
    return 0;
  }

  private String commandLine() {
    StringBuilder sb = new StringBuilder("./tilefarm bench");
    if (quick) {
      sb.append(" --quick");
    }
    sb.append(" --runs ").append(runs);
    if (sections != null) {
      sb.append(" --sections ").append(String.join(",", sections));
    }
    return sb.toString();
  }

  /** The sections' bench: embedded farms in this JVM, and {@code tilefarm} JVMs on this classpath. */
  private static final class EmbeddedBench implements Bench, AutoCloseable {
    private final int runs;
    private final boolean quick;
    private final Path scratch;
    private final int threads = Runtime.getRuntime().availableProcessors();
    private BenchFarm shared;

    EmbeddedBench(int runs, boolean quick, Path scratch) {
      this.runs = runs;
      this.quick = quick;
      this.scratch = scratch;
    }

    @Override
    public int runs() {
      return runs;
    }

    @Override
    public boolean quick() {
      return quick;
    }

    @Override
    public int threads() {
      return threads;
    }

    @Override
    public Path scratch() {
      return scratch;
    }

    @Override
    public BenchFarm sharedFarm() throws Exception {
      if (shared == null) {
        shared = farm("main", 1, threads, true);
      }
      return shared;
    }

    void stopSharedFarm() {
      if (shared != null) {
        shared.close();
        shared = null;
      }
    }

    @Override
    public BenchFarm farm(String name, int workers, int workerThreads, boolean roles) throws Exception {
      Map<String, String> flags = new HashMap<>();
      flags.put("data.dir", scratch.resolve(name + "-" + System.nanoTime()).toString());
      flags.put("worker.threads", String.valueOf(workerThreads));
      Settings settings = Settings.load(flags, Map.of(), null);
      return new EmbeddedFarm(Farm.startEmbedded(settings, workers, roles, 0, 0, quietProgress()));
    }

    @Override
    public BenchFarm connect(String bootstrapServers, java.net.URI s3Endpoint, Path dataDir) {
      Map<String, String> flags = new HashMap<>();
      flags.put("data.dir", dataDir.toString());
      flags.put("bootstrap.servers", bootstrapServers);
      flags.put("s3.endpoint", s3Endpoint.toString());
      flags.put("s3.access-key", Settings.EMBEDDED_ACCESS_KEY);
      flags.put("s3.secret-key", Settings.EMBEDDED_SECRET_KEY);
      return new EmbeddedFarm(Farm.connect(Settings.load(flags, Map.of(), null)));
    }

    @Override
    public List<String> tilefarmCommand(List<String> jvmOptions, List<String> args) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(jvmOptions);
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
      cmd.addAll(args);
      return cmd;
    }

    @Override
    public void close() {
      stopSharedFarm();
    }
  }

  private static Progress quietProgress() {
    return new Progress(System.err, false, true);
  }

  /** Fails unless the job completed, saying how it ended otherwise. */
  private static JobEvent.Completed completed(JobEvent end) {
    if (end instanceof JobEvent.Completed c) {
      return c;
    }
    throw new IllegalStateException("benchmark job did not complete: " + JobRunner.describe(end));
  }

  /** A {@link Farm} as the sections see it. */
  private record EmbeddedFarm(Farm farm) implements BenchFarm {
    @Override
    public String bootstrapServers() {
      return farm.settings().bootstrapServers();
    }

    @Override
    public String tileTasksTopic() {
      return farm.settings().topics().tileTasksFor(dev.tilefarm.schemas.Renderer.MANDELBROT.id()).name();
    }

    @Override
    public String tileTasksGroup() {
      return farm.settings().topics().taskGroup(tileTasksTopic());
    }

    @Override
    public String tileResultsTopic() {
      return farm.settings().topics().tileResults().name();
    }

    @Override
    public BlobStore blobs() {
      return farm.blobs();
    }

    @Override
    public List<String> connectionOptions() {
      Settings s = farm.settings();
      return List.of("--bootstrap-server", s.bootstrapServers(), "--s3-endpoint", s.s3Endpoint().toString(),
          "--s3-access-key", s.s3AccessKey(), "--s3-secret-key", s.s3SecretKey(), "--bucket", s.bucket(),
          "--data-dir", s.dataDir().toString());
    }

    @Override
    public JobEvent.Completed complete(ObjectNode job) throws Exception {
      return completed(JobRunner.run(farm, List.of(job), Duration.ofMinutes(20), quietProgress())
          .values().iterator().next());
    }

    @Override
    public EventClient eventClient() {
      JobClient client = new JobClient(farm.settings());
      return new EventClient() {
        @Override
        public Map<TopicPartition, Long> positions() {
          return client.eventPositions();
        }

        @Override
        public void submit(ObjectNode job) throws InterruptedException {
          client.submit(job);
        }

        @Override
        public JobEvent.Completed await(String id, Map<TopicPartition, Long> from, Duration timeout,
            Consumer<JobEvent> onEvent) throws Exception {
          return completed(client.await(List.of(id), Set.of(), from, timeout, onEvent::accept).get(id));
        }

        @Override
        public void cancel(String id) throws InterruptedException {
          client.cancel(id, "the benchmark is done with it");
        }

        @Override
        public void close() {
          client.close();
        }
      };
    }

    @Override
    public void close() {
      farm.close();
    }
  }
}
