package dev.tilefarm.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tilefarm} command. Exit codes are listed in {@link ExitCodes}. */
@Command(name = "tilefarm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "An asynchronous render and image-processing farm on Apache Kafka.%n"
        + "With no cluster configured, commands start an embedded farm (Kafka broker, S3 server and every role) "
        + "in this process, or use the one 'tilefarm up' is running.",
    subcommands = {DemoCommand.class, UpCommand.class, RenderCommand.class, ProcessCommand.class,
        SubmitCommand.class, JobsCommand.class, StatusCommand.class, LogsCommand.class, GetCommand.class,
        CancelCommand.class, RetryCommand.class, ApiCommand.class, WorkerCommand.class, SplitterCommand.class,
        BrokerCommand.class, S3Command.class, LabCommand.class, CompositorCommand.class, TriggersCommand.class,
        SoakCommand.class, BenchCommand.class, StartupProbeCommand.class, AclCommand.class, PauseCommand.class,
        ResumeCommand.class, PriorityCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:a job failed or was rejected",
        "2:bad command line or input file",
        "3:bad configuration, or the farm cannot be reached",
        "4:timed out waiting for a job",
        "5:internal error",
        "6:a role process stopped working (its Kafka Streams client failed or its poll loop stopped)",
        "7:a job's output was refused: not the job's own object, or not the bytes of its COMPLETED event",
        "130:interrupted (Ctrl-C); the command's jobs were cancelled, unless --detach"})
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    try {
      ExitWithParent.watch(System.getenv());
    } catch (Settings.ConfigException e) {
      System.err.println("tilefarm: " + e.getMessage());
      System.exit(ExitCodes.CONFIG);
    }
    CommandLine cl = commandLine();
    cl.setExecutionStrategy(parsed -> {
      logUnder(parsed);
      return new CommandLine.RunLast().execute(parsed);
    });
    System.exit(cl.execute(args));
  }

  /** The system property logback.xml takes the log folder from. */
  static final String LOG_DIR_PROPERTY = "tilefarm.log.dir";

  /**
   * Points the log file at the command's data directory (or TILEFARM_LOG_DIR) before anything logs. A command
   * whose settings cannot be read logs under the default data directory; it fails on those settings itself.
   */
  private static void logUnder(CommandLine.ParseResult parsed) {
    List<CommandLine> chain = parsed.asCommandLineList();
    CommandLine.Model.CommandSpec farm = chain.get(chain.size() - 1).getCommandSpec().mixins().get("farm");
    Settings settings;
    try {
      settings = farm != null && farm.userObject() instanceof FarmOptions o ? o.settings()
          : Settings.load(Map.of(), System.getenv(), null);
    } catch (RuntimeException e) {
      return;
    }
    System.setProperty(LOG_DIR_PROPERTY, logDir(settings, System.getenv()).toString());
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
        && !System.getProperty(LOG_DIR_PROPERTY).equals(context.getProperty("LOG_DIR"))) {
      // Something logged before the command line was read: configure again, now with the right folder.
      context.reset();
      try {
        new ContextInitializer(context).autoConfig();
      } catch (ch.qos.logback.core.joran.spi.JoranException e) {
        System.err.println("tilefarm: configuring the log: " + e.getMessage());
      }
    }
  }

  /** The log folder: TILEFARM_LOG_DIR if set, else {@code logs} under the data directory. */
  static Path logDir(Settings settings, Map<String, String> env) {
    String dir = env.get("TILEFARM_LOG_DIR");
    return dir != null && !dir.isBlank() ? Path.of(dir) : settings.dataDir().resolve("logs");
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(Main.class);
    cl.getSubcommands().get("process").getCommandSpec().usageMessage().footer(ProcessCommand.opsHelp());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      System.err.println("tilefarm: " + message(e));
      int code = ExitCodes.of(e);
      if (code == ExitCodes.INTERNAL && !(e instanceof CommandFailure)) {
        e.printStackTrace();
      }
      return code;
    });
    return cl;
  }

  private static String message(Exception e) {
    if (e instanceof CommandFailure || e instanceof Settings.ConfigException) {
      return e.getMessage();
    }
    if (e instanceof TimeoutException) {
      return "timed out: " + e.getMessage();
    }
    Throwable refused = ExitCodes.authentication(e);
    if (refused != null) {
      return "Kafka refused the connection: " + refused.getMessage()
          + " (check kafka.config: security.protocol, ssl.truststore.*, sasl.mechanism, sasl.jaas.config)";
    }
    return "error: " + e;
  }

  /** The exit codes, as documented in the help text. */
  static final class ExitCodes {
    static final int JOB_FAILED = 1;
    static final int USAGE = 2;
    static final int CONFIG = 3;
    static final int TIMEOUT = 4;
    static final int INTERNAL = 5;
    static final int ROLE_FAILED = 6;
    static final int OUTPUT_REFUSED = 7;
    static final int INTERRUPTED = 130;

    static int of(Exception e) {
      if (e instanceof CommandFailure f) {
        return f.exitCode();
      }
      if (e instanceof Settings.ConfigException || e instanceof org.apache.kafka.common.errors.TimeoutException
          || authentication(e) != null) {
        return CONFIG;
      }
      if (e instanceof TimeoutException) {
        return TIMEOUT;
      }
      if (e instanceof RoleProcess.RoleFailedException) {
        return ROLE_FAILED;
      }
      return INTERNAL;
    }

    /** The TLS or SASL failure behind {@code e} (Kafka may wrap it), or null. */
    static Throwable authentication(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof org.apache.kafka.common.errors.AuthenticationException) {
          return t;
        }
      }
      return null;
    }
  }

  /**
   * A failure the command explains itself: its message is printed as it is, and its kind gives the exit code.
   * One subclass a kind, so that a method declares, and a caller catches, the one it means.
   */
  abstract static sealed class CommandFailure extends Exception permits JobsFailedException, UsageException,
      JobRunner.OutputRefusedException, JobRunner.InterruptedByUserException, Uploads.UploadFailedException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CommandFailure(String message, int exitCode, Throwable cause) {
      super(message, cause);
      this.exitCode = exitCode;
    }

    final int exitCode() {
      return exitCode;
    }
  }

  /** One or more jobs did not complete; the message names each and its reason. */
  static final class JobsFailedException extends CommandFailure {
    JobsFailedException(String message) {
      super(message, ExitCodes.JOB_FAILED, null);
    }
  }

  /** A command line or input file that cannot be used; the message says which and why. */
  static final class UsageException extends CommandFailure {
    UsageException(String message) {
      super(message, ExitCodes.USAGE, null);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tilefarm " + (v == null ? "(development build)" : v)};
    }
  }
}
