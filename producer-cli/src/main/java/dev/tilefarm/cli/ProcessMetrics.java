package dev.tilefarm.cli;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * This process's Prometheus registry. The roles record to Micrometer's global registry (so a role needs
 * no metrics wiring in its start-up signature), and this registry is added to it once per process; the
 * HTTP API serves it at {@code /metrics}, and a role process without the API serves it with
 * {@link #serve}.
 */
final class ProcessMetrics {
  private static PrometheusMeterRegistry registry;

  private ProcessMetrics() {}

  static synchronized PrometheusMeterRegistry registry() {
    if (registry == null) {
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      registry.config().commonTags("process", "tilefarm-" + ProcessHandle.current().pid());
      new JvmMemoryMetrics().bindTo(registry);
      new JvmGcMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ClassLoaderMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
      Metrics.addRegistry(registry);
    }
    return registry;
  }

  /** Serves {@code /metrics} on {@code host:port} until closed; for role processes that run no HTTP API. */
  static AutoCloseable serve(String host, int port) throws IOException {
    PrometheusMeterRegistry r = registry();
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.createContext("/metrics", ex -> {
      byte[] body = r.scrape().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return () -> server.stop(0);
  }
}
