package dev.tilefarm.cli;

import dev.tilefarm.api.HttpApi;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "api", mixinStandardHelpOptions = true,
    description = "Run the HTTP API and web dashboard (the api role) against a cluster, or against the farm of a "
        + "running 'tilefarm up', until Ctrl-C. Settings: http.host, http.port, http.token, http.allowed-hosts "
        + "(env TILEFARM_HTTP_*).")
final class ApiCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Option(names = "--http-port", paramLabel = "PORT", description = "port to listen on (default: http.port, 8080)")
  Integer httpPort;

  @Override
  public Integer call() throws Exception {
    Settings settings = farm.settings();
    if (httpPort != null) {
      settings = settings.withHttpPort(httpPort);
    }
    if (!settings.clusterConfigured()) {
      Settings running = Farm.runningUp(settings);
      if (running == null) {
        throw new Settings.ConfigException("'tilefarm api' needs a cluster (--bootstrap-server, "
            + "TILEFARM_BOOTSTRAP_SERVERS) or a running 'tilefarm up' on the same data directory");
      }
      settings = running;
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    try (Farm connected = Farm.connect(settings); HttpApi api = connected.startApi()) {
      System.out.println("tilefarm api: dashboard and API on " + api.uri() + "  (metrics: " + api.uri() + "metrics)");
      System.out.flush();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        stop.countDown();
        try {
          done.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      stop.await();
    } finally {
      done.countDown();
    }
    return 0;
  }
}
