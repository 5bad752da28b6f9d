package dev.tilefarm.cli;

import picocli.CommandLine.Option;

/** The {@code --http-port} of a command that serves the HTTP API and dashboard ({@code up}, {@code api}). */
final class HttpPortOption {
  @Option(names = "--http-port", paramLabel = "PORT",
      description = "port of the HTTP API and dashboard (default: http.port, 8080; 0 = any free port)")
  Integer port;

  /** {@code settings} with the port given, if one is. */
  Settings applyTo(Settings settings) {
    return port == null ? settings : settings.withHttpPort(port);
  }
}
