package dev.tilefarm.cli;

import dev.tilefarm.api.HttpApi;
import java.util.concurrent.Callable;
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
    settings = RoleProcess.cluster(settings, "api");
    try (StopSignal stop = new StopSignal(); Farm connected = Farm.connect(settings);
         HttpApi api = connected.startApi()) {
      System.out.println("tilefarm api: dashboard and API on " + api.uri() + "  (metrics: " + api.uri() + "metrics)");
      System.out.flush();
      stop.listen();
      stop.await();
    }
    return 0;
  }
}
