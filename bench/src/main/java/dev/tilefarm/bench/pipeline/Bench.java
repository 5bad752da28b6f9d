package dev.tilefarm.bench.pipeline;

import java.nio.file.Path;
import java.util.List;

/** What a {@link Section} measures with: the run's settings, embedded farms, and fresh {@code tilefarm} JVMs. */
public interface Bench {
  /** Repetitions of each figure. */
  int runs();

  /** Small sizes, for a smoke run. */
  boolean quick();

  /** The cores of this machine: the thread count of the references and of the shared farm's worker. */
  int threads();

  /** A directory for this run's data directories and files. */
  Path scratch();

  /**
   * The embedded farm the sections that {@link Section#sharesFarm() share it} measure on: one worker of
   * {@link #threads()} threads.
   */
  BenchFarm sharedFarm() throws Exception;

  /**
   * Starts an embedded farm of its own, which the caller closes: {@code workers} in-process workers of
   * {@code workerThreads} threads each; without {@code roles}, just the broker and the S3 server.
   */
  BenchFarm farm(String name, int workers, int workerThreads, boolean roles) throws Exception;

  /**
   * A client of a farm whose broker and S3 server run elsewhere (see {@link ProcessFarm}): it submits jobs and
   * reads their events and objects, and starts nothing; closing it closes only the client.
   */
  BenchFarm connect(String bootstrapServers, java.net.URI s3Endpoint, Path dataDir) throws Exception;

  /** The command line that runs {@code tilefarm ARGS} in a fresh JVM with {@code jvmOptions}, on this classpath. */
  List<String> tilefarmCommand(List<String> jvmOptions, List<String> args);
}
