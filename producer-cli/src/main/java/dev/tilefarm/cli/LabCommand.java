package dev.tilefarm.cli;

import dev.tilefarm.store.BlobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "lab", mixinStandardHelpOptions = true,
    description = "The cluster lab: start the farm as separate processes (3 KRaft brokers, S3 behind a fault "
        + "proxy, 2 splitters, 2 compositors, workers, an API; in network namespaces where root allows), run a mixed "
        + "workload while a seeded nemesis kills, freezes and partitions roles and makes S3 misbehave, then check "
        + "every job ended once with the right pixels. Prints the table; exit 1 if anything was lost or wrong.")
final class LabCommand implements Callable<Integer> {
  @Option(names = "--seed", defaultValue = "7",
      description = "seed of the nemesis and workload (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "180",
      description = "how long the nemesis injects faults (default ${DEFAULT-VALUE}); a soak is a longer one")
  int durationSeconds;

  @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
      description = "go on past --duration until the nemesis has injected every fault kind at least N times "
          + "(default ${DEFAULT-VALUE}: a full run sees every kind; 0: stop at --duration)")
  int rounds;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "3",
      description = "worker processes (default ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--job-interval", paramLabel = "SECONDS", defaultValue = "6",
      description = "a new job every this many seconds while the nemesis runs (default ${DEFAULT-VALUE})")
  int jobInterval;

  @Option(names = "--partition-seconds", paramLabel = "SECONDS", defaultValue = "50",
      description = "how long a partition lasts; longer than the roles' session timeouts (default ${DEFAULT-VALUE})")
  int partitionSeconds;

  @Option(names = "--s3-down-seconds", paramLabel = "SECONDS", defaultValue = "60",
      description = "how long S3 is down (default ${DEFAULT-VALUE})")
  int s3DownSeconds;

  @Option(names = "--loopback", description = "every role on loopback ports even where network namespaces work "
      + "(no partitions then)")
  boolean loopback;

  @Option(names = "--dir", paramLabel = "DIR", description = "where the lab keeps its data and logs (default: a new "
      + "temporary directory)")
  Path dir;

  @Option(names = "--report", paramLabel = "FILE", description = "also write the table to FILE")
  Path report;

  @Override
  public Integer call() throws Exception {
    if (durationSeconds < 10 || rounds < 0 || workers < 1 || jobInterval < 1 || partitionSeconds < 1
        || s3DownSeconds < 1) {
      throw new Main.UsageException("--duration must be at least 10 s, --rounds at least 0; --workers, --job-interval, "
          + "--partition-seconds and --s3-down-seconds at least 1");
    }
    Path root = dir != null ? dir : Files.createTempDirectory("tilefarm-lab-");
    boolean netns = !loopback && Lab.namespacesAvailable();
    Lab.PrintStreamLog log = line -> {
      System.out.println(line);
      System.out.flush();
    };
    log.say("lab: seed " + seed + ", nemesis for " + durationSeconds + " s" + (rounds > 0 ? " and at least " + rounds
        + " round(s) of every fault kind" : "") + ", data and logs in " + root);
    Lab lab = Lab.start(root, netns, 2, 2, workers, seed, log);
    Thread stopper = new Thread(lab::close, "lab-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      LabChecker.Report r = run(lab, log);
      System.out.println();
      System.out.print(r.table());
      if (report != null) {
        Files.writeString(report, r.table());
      }
      System.out.println(r.passed() ? "lab: PASSED" : "lab: FAILED");
      return r.passed() ? 0 : 1;
    } finally {
      lab.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException e) {
        // shutting down: the hook closes the lab (again; closing twice is harmless)
      }
    }
  }

  private LabChecker.Report run(Lab lab, Lab.PrintStreamLog log) throws Exception {
    Settings settings = lab.clientSettings();
    String bucket = settings.bucket();
    try (BlobStore direct = BlobStore.connect(lab.directSettings().s3())) {
      LabWorkload.upload(direct);
    }
    LabWorkload workload = new LabWorkload(bucket, LabWorkload.povrayInstalled());
    Map<String, List<LabChecker.Timed>> references = new ConcurrentHashMap<>();
    List<LabChecker.Submitted> submitted = new CopyOnWriteArrayList<>();
    try (JobClient client = new JobClient(settings)) {
      var from = client.eventPositions();
      // Fault-free references first: one job of each kind that has one.
      List<String> refIds = new ArrayList<>();
      for (LabWorkload.Kind k : workload.kinds()) {
        if (k.expect() == LabWorkload.Expect.REFERENCE) {
          String id = "ref-" + seed + "-" + k.name();
          client.submit(LabWorkload.job(k, id, bucket));
          refIds.add(id);
        }
      }
      long t0 = System.nanoTime();
      var refEnds = client.await(refIds, Set.of(), from, Duration.ofMinutes(8), e -> { });
      log.say("lab: " + refIds.size() + " reference jobs done without faults in "
          + Duration.ofNanos(System.nanoTime() - t0).toSeconds() + " s: " + refEnds.values().stream()
          .map(e -> e.jobId() + " " + e.getClass().getSimpleName()).toList());
      LabChecker checker = new LabChecker(lab.directSettings());
      Map<String, List<LabChecker.Timed>> all = checker.events();
      for (LabWorkload.Kind k : workload.kinds()) {
        List<LabChecker.Timed> h = all.get("ref-" + seed + "-" + k.name());
        if (h != null) {
          references.put(k.name(), h);
        }
      }

      // The workload and the nemesis, side by side.
      var jobsFrom = client.eventPositions();
      long until = System.currentTimeMillis() + durationSeconds * 1000L;
      ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
      Random pick = new Random(seed ^ 0x5DEECE66DL);
      int[] serial = {0};
      // Jobs come as long as the nemesis runs, which may be past the duration to finish its rounds.
      java.util.concurrent.atomic.AtomicBoolean faultsOver = new java.util.concurrent.atomic.AtomicBoolean();
      scheduler.scheduleWithFixedDelay(() -> {
        if (faultsOver.get()) {
          return;
        }
        LabWorkload.Kind k = workload.kinds().get(serial[0] < workload.kinds().size() ? serial[0]
            : pick.nextInt(workload.kinds().size()));
        String id = "lab-" + seed + "-" + (++serial[0]) + "-" + k.name();
        try {
          synchronized (client) {
            client.submit(LabWorkload.job(k, id, bucket));
          }
          submitted.add(new LabChecker.Submitted(id, k));
          if (k.expect() == LabWorkload.Expect.CANCELLED) {
            scheduler.schedule(() -> {
              try {
                synchronized (client) {
                  client.cancel(id, "cancelled by the lab's workload");
                }
              } catch (Exception e) {
                log.say("lab: cancelling " + id + ": " + e);
              }
            }, 4, TimeUnit.SECONDS);
          }
        } catch (Exception e) {
          log.say("lab: submitting " + id + ": " + e);
        }
      }, 0, jobInterval, TimeUnit.SECONDS);
      LabNemesis nemesis = new LabNemesis(lab, seed, new LabNemesis.Timing(Duration.ofSeconds(partitionSeconds),
          Duration.ofSeconds(s3DownSeconds), Duration.ofSeconds(15), Duration.ofSeconds(25), Duration.ofSeconds(3),
          Duration.ofSeconds(10)), log);
      try {
        nemesis.run(until, rounds);
      } finally {
        faultsOver.set(true);
        scheduler.shutdown();
        scheduler.awaitTermination(30, TimeUnit.SECONDS);
      }
      Set<LabNemesis.Kind> injected = new HashSet<>();
      nemesis.records().forEach(r -> injected.add(r.kind()));
      List<LabNemesis.Kind> missing = nemesis.possible().stream().filter(k -> !injected.contains(k)).toList();
      log.say("lab: faults healed; " + nemesis.records().size() + " injected" + (missing.isEmpty() ? ", every kind"
          : "; kinds the time did not reach: " + missing) + (lab.partitionsPossible() ? ""
          : "; partitions need network namespaces (root), not available here"));

      // Every job must now end, faults healed.
      List<String> ids = submitted.stream().map(LabChecker.Submitted::id).toList();
      log.say("lab: waiting for the " + ids.size() + " jobs to end");
      try {
        synchronized (client) {
          client.await(ids, Set.of(), jobsFrom, Duration.ofMinutes(6), e -> { });
        }
      } catch (java.util.concurrent.TimeoutException e) {
        log.say("lab: " + e.getMessage());
      }
      // The janitor deletes a job's tiles as it ends and again 2 minutes later, for tiles a worker was still
      // writing: wait past that second pass for the last jobs.
      return checker.check(submitted, references, nemesis.records(), missing, lab.unplannedExits(),
          Duration.ofSeconds(150));
    }
  }
}
