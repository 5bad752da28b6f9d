package dev.tilefarm.cli;

import dev.tilefarm.api.HttpApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "api", mixinStandardHelpOptions = true,
    description = "Run the HTTP API and web dashboard (the api role) against a cluster, or against the farm of a "
        + "running 'tilefarm up', until Ctrl-C. Settings: http.host, http.port, http.token, http.allowed-hosts "
        + "(env TILEFARM_HTTP_*).")
final class ApiCommand extends FarmCommand {
  @Mixin
  HttpPortOption http;

  @Override
  public Integer call() throws Exception {
    Settings settings = RoleProcess.cluster(http.applyTo(farm.settings()), "api");
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
