package dev.tilefarm.cli;

import dev.tilefarm.cli.AclModel.Grant;
import dev.tilefarm.cli.AclModel.Role;
import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.clients.TopicSetup;
import dev.tilefarm.schemas.TopicAdmin;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tilefarm acl}: the farm's authorization model on Kafka ({@link AclModel}), applied or printed. */
@Command(name = "acl", mixinStandardHelpOptions = true,
    description = "The farm's ACLs on Kafka: which principal may read and write which topic and group. "
        + "'acl apply' creates them on a cluster (and the farm's topics), 'acl print' prints them as kafka-acls.sh "
        + "commands. Name the principal of each role you run (TYPE:NAME, e.g. User:alice; each option may be "
        + "repeated); the broker must run an authorizer, and kafka.config must sign in as a principal that may "
        + "create ACLs and topics (a super user).",
    subcommands = {AclCommand.Apply.class, AclCommand.Print.class})
final class AclCommand implements Callable<Integer> {
  private static final long TIMEOUT_S = 30;

  @Override
  public Integer call() throws Main.UsageException {
    throw new Main.UsageException("acl needs a subcommand: apply or print (see tilefarm acl --help)");
  }

  /** The principals of each role; at least one. */
  static final class Principals {
    @Option(names = "--principal-client", paramLabel = "PRINCIPAL",
        description = "a client: writes jobs (submit, cancel), reads job-events")
    List<String> client = new ArrayList<>();

    @Option(names = "--principal-splitter", paramLabel = "PRINCIPAL", description = "the splitter")
    List<String> splitter = new ArrayList<>();

    @Option(names = "--principal-compositor", paramLabel = "PRINCIPAL", description = "the compositor")
    List<String> compositor = new ArrayList<>();

    @Option(names = "--principal-worker", paramLabel = "PRINCIPAL", description = "the render workers")
    List<String> worker = new ArrayList<>();

    @Option(names = "--principal-api", paramLabel = "PRINCIPAL", description = "the HTTP API")
    List<String> api = new ArrayList<>();

    @Option(names = "--principal-upload-trigger", paramLabel = "PRINCIPAL", description = "the upload trigger")
    List<String> uploadTrigger = new ArrayList<>();

    @Option(names = "--principal-upload-source", paramLabel = "PRINCIPAL",
        description = "what publishes object-store notifications to the uploads topic (MinIO, a bridge)")
    List<String> uploadSource = new ArrayList<>();

    @Option(names = "--client-group-prefix", paramLabel = "PREFIX",
        description = "also let clients use consumer groups whose names start with PREFIX (e.g. 'dashboard-'), "
            + "for clients that follow job-events in a group; tilefarm's own clients need none")
    String clientGroupPrefix;

    /** Each role's principals, checked: TYPE:NAME, a name that is not a wildcard. */
    Map<Role, List<String>> byRole() throws Main.UsageException {
      Map<Role, List<String>> out = new EnumMap<>(Role.class);
      out.put(Role.CLIENT, client);
      out.put(Role.SPLITTER, splitter);
      out.put(Role.COMPOSITOR, compositor);
      out.put(Role.WORKER, worker);
      out.put(Role.API, api);
      out.put(Role.UPLOAD_TRIGGER, uploadTrigger);
      out.put(Role.UPLOAD_SOURCE, uploadSource);
      boolean any = false;
      for (Map.Entry<Role, List<String>> e : out.entrySet()) {
        for (String p : e.getValue()) {
          check(e.getKey().option(), p);
          any = true;
        }
      }
      if (!any) {
        throw new Main.UsageException("name at least one principal, e.g. --principal-client User:alice "
            + "(options: " + String.join(", ", java.util.Arrays.stream(Role.values()).map(Role::option).toList())
            + ")");
      }
      if (clientGroupPrefix != null && !clientGroupPrefix.matches("[A-Za-z0-9._-]+")) {
        throw new Main.UsageException("--client-group-prefix '" + clientGroupPrefix
            + "': letters, digits, '.', '_' and '-' only, not empty");
      }
      return out;
    }

    static void check(String option, String principal) throws Main.UsageException {
      int colon = principal.indexOf(':');
      if (colon <= 0 || colon == principal.length() - 1 || principal.chars().anyMatch(Character::isWhitespace)) {
        throw new Main.UsageException(option + " '" + principal + "': a principal is TYPE:NAME, e.g. User:alice");
      }
      if (principal.substring(colon + 1).equals("*")) {
        throw new Main.UsageException(option + " '" + principal + "': a wildcard would grant the role to every "
            + "principal; name one");
      }
    }
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = "Create the farm's topics (if missing) and the ACLs of the named principals on the cluster "
          + "(--bootstrap-server, kafka.config), printing each ACL as 'created' or 'exists' (idempotent: run it "
          + "again after adding a role or a topic). ACLs of these principals that the model does not hold are "
          + "listed as 'other' and left as they are. Returns once the broker enforces the new ACLs.")
  static final class Apply extends FarmCommand {
    @Mixin
    Principals principals;

    @Option(names = "--dry-run", description = "print the ACLs without connecting to the cluster")
    boolean dryRun;

    @Option(names = "--no-create-topics", description = "leave the topics alone (they must exist: the roles may "
        + "not create them)")
    boolean noCreateTopics;

    @Override
    public Integer call() throws Exception {
      Settings settings = farm.settings();
      Map<Role, List<String>> byRole = principals.byRole();
      List<Grant> grants = AclModel.grants(settings.topics(), byRole, principals.clientGroupPrefix);
      PrintStream out = System.out;
      if (dryRun) {
        for (Grant g : grants) {
          out.println(line("would create", g));
        }
        return 0;
      }
      if (!settings.clusterConfigured()) {
        throw new Settings.ConfigException("acl apply needs a cluster: give --bootstrap-server (or "
            + "bootstrap.servers) and, in kafka.config, a principal that may create ACLs; the embedded farm runs no "
            + "authorizer");
      }
      try (Admin admin = Admin.create(adminProperties(settings))) {
        // First: a cluster without an authorizer, or a principal that may not manage ACLs, is told before any change.
        Set<AclBinding> existing = existing(admin, grants);
        if (!noCreateTopics) {
          boolean uploads = !byRole.get(Role.UPLOAD_TRIGGER).isEmpty() || !byRole.get(Role.UPLOAD_SOURCE).isEmpty();
          createTopics(admin, settings, uploads, out);
        }
        apply(admin, grants, existing, out);
      } catch (ExecutionException e) {
        throw explained(e.getCause(), settings);
      }
      return 0;
    }
  }

  @Command(name = "print", mixinStandardHelpOptions = true,
      description = "Print the ACLs of the named principals as kafka-acls.sh commands, one per principal and "
          + "resource, for a cluster managed by Kafka's own tools. Nothing is connected to.")
  static final class Print extends FarmCommand {
    @Mixin
    Principals principals;

    @Option(names = "--command-config", paramLabel = "FILE", defaultValue = "admin.properties",
        description = "the client properties of a principal that may create ACLs, as the commands name it "
            + "(default ${DEFAULT-VALUE})")
    String commandConfig;

    @Override
    public Integer call() throws Exception {
      Settings settings = farm.settings();
      List<Grant> grants = AclModel.grants(settings.topics(), principals.byRole(), principals.clientGroupPrefix);
      String bootstrap = settings.clusterConfigured() ? settings.bootstrapServers() : "HOST:9092";
      System.out.println("# tilefarm's ACLs (topic prefix '" + settings.topics().prefix() + "'). The topics must "
          + "exist first: 'tilefarm acl apply' creates them, or start each role once as a super user.");
      AclModel.kafkaAclsCommands(grants, bootstrap, commandConfig).forEach(System.out::println);
      return 0;
    }
  }

  /** The admin client of the settings: bootstrap.servers and the admin keys of kafka.config. */
  static Properties adminProperties(Settings settings) {
    Properties p = ClientProperties.ADMIN.of(settings.bootstrapServers(), settings.roles().kafkaClient());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "tilefarm-acl");
    return p;
  }

  /** Creates the farm's missing topics (and the uploads topic if {@code uploads}), printing each one created. */
  static void createTopics(Admin admin, Settings settings, boolean uploads, PrintStream out) throws Exception {
    Set<String> before = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
    try {
      TopicAdmin.ensure(admin, settings.topics(), settings.layout());
      if (uploads) {
        TopicSetup.ensureUploads(admin, settings.topics(), settings.partitions());
      }
    } catch (IllegalStateException e) {
      if (e.getCause() != null) {
        throw new ExecutionException(e.getCause());
      }
      throw e;
    }
    Set<String> created = new TreeSet<>(admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS));
    created.removeAll(before);
    for (String topic : created) {
      out.println("created       topic " + topic);
    }
  }

  /** The ACLs the cluster holds for the grants' principals. */
  static Set<AclBinding> existing(Admin admin, List<Grant> grants) throws Exception {
    Set<AclBinding> existing = new HashSet<>();
    for (String principal : principals(grants)) {
      existing.addAll(admin.describeAcls(filterOf(principal)).values().get(TIMEOUT_S, TimeUnit.SECONDS));
    }
    return existing;
  }

  private static Set<String> principals(List<Grant> grants) {
    Set<String> principals = new LinkedHashSet<>();
    grants.forEach(g -> principals.add(g.principal()));
    return principals;
  }

  /**
   * Creates the grants' ACLs that are not among {@code existing} and waits until the broker serves them; prints
   * each grant as created or exists, then the principals' other ACLs.
   */
  static void apply(Admin admin, List<Grant> grants, Set<AclBinding> existing, PrintStream out) throws Exception {
    List<AclBinding> missing = new ArrayList<>();
    Set<AclBinding> model = new HashSet<>();
    for (Grant g : grants) {
      model.add(g.binding());
      if (!existing.contains(g.binding()) && !missing.contains(g.binding())) {
        missing.add(g.binding());
      }
    }
    if (!missing.isEmpty()) {
      admin.createAcls(missing).all().get(TIMEOUT_S, TimeUnit.SECONDS);
      awaitServed(admin, principals(grants), missing);
    }
    for (Grant g : grants) {
      out.println(line(existing.contains(g.binding()) ? "exists" : "created", g));
    }
    for (AclBinding b : existing) {
      if (!model.contains(b)) {
        out.println("other         " + b.entry().principal() + "  " + b.entry().permissionType() + " "
            + b.entry().operation() + "  " + b.pattern() + " (not in the model; left as it is)");
      }
    }
  }

  /** Waits until describeAcls, which the broker answers from the metadata it has applied, shows every binding. */
  private static void awaitServed(Admin admin, Set<String> principals, List<AclBinding> created) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
    while (true) {
      Set<AclBinding> served = new HashSet<>();
      for (String principal : principals) {
        served.addAll(admin.describeAcls(filterOf(principal)).values().get(TIMEOUT_S, TimeUnit.SECONDS));
      }
      if (served.containsAll(created)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new java.util.concurrent.TimeoutException("the broker created the ACLs but does not serve them after "
            + TIMEOUT_S + " s");
      }
      Thread.sleep(20);
    }
  }

  private static AclBindingFilter filterOf(String principal) {
    return new AclBindingFilter(ResourcePatternFilter.ANY,
        new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY));
  }

  private static String line(String status, Grant g) {
    return String.format("%-13s %-15s %s", status, g.role().name, g.describe());
  }

  /** The broker's refusal as what to do about it; anything else as it is. */
  static Exception explained(Throwable cause, Settings settings) {
    String who = "the principal of kafka.config" + (settings.roles().kafkaClient().isEmpty()
        ? " (none is set, so the anonymous user)" : "");
    if (cause instanceof SecurityDisabledException) {
      return new Settings.ConfigException("the cluster at " + settings.bootstrapServers() + " runs no authorizer "
          + "(set authorizer.class.name, e.g. org.apache.kafka.metadata.authorizer.StandardAuthorizer), so it "
          + "has no ACLs: " + cause.getMessage());
    }
    if (cause instanceof ClusterAuthorizationException) {
      return new Settings.ConfigException(who + " may not create or list ACLs: it needs Alter and Describe on the "
          + "cluster (a super user, or kafka-acls.sh --operation Alter --cluster): " + cause.getMessage());
    }
    if (cause instanceof TopicAuthorizationException) {
      return new Settings.ConfigException(who + " may not create the farm's topics: it needs Create on the "
          + "cluster or the topics (or pass --no-create-topics and create them otherwise): " + cause.getMessage());
    }
    return cause instanceof Exception x ? x : new IllegalStateException(cause);
  }
}
