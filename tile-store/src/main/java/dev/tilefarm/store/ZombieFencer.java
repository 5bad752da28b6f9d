package dev.tilefarm.store;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborts at once the open transaction of an instance of a Kafka Streams application (exactly-once v2) that died,
 * instead of leaving it open until its transaction timeout.
 *
 * <p>Why: an instance killed mid-transaction leaves records and offsets of an open transaction on its output
 * topics, its changelogs and the group's offsets. Until that transaction ends, read-committed readers of those
 * partitions see nothing past it, and the instance that takes the task over cannot fetch the task's committed
 * offsets (they are unstable). An instance restarted on its own state directory fences its old transactions
 * itself, since its transactional ids ({@code APPLICATION_ID-PROCESS_ID-THREAD}) carry the process id it keeps
 * there; one restarted on a fresh state directory, or not restarted at all, never does, and the broker aborts the
 * transaction only after its timeout (the compositor's is 5 minutes, for long assemblies).
 *
 * <p>How: every {@code interval}, each instance lists the application's transactions open for longer than
 * {@code minAge}; for those whose process id is no longer among the members of the application's consumer group
 * (the members' client ids carry their process id), it bumps the transactional id's epoch
 * ({@link Admin#fenceProducers}), which aborts the transaction. A live member's transaction is never touched, nor
 * any while the group shows no member at all (this instance has not joined yet, or the coordinator moved). The
 * transactions are listed before the group is described, so an instance that joins in between is not mistaken for
 * a dead one. Without a broker answer (down, or no ACL to describe transactions) it tries again next time.
 */
public final class ZombieFencer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZombieFencer.class);
  private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  /** How often an instance looks for dead instances' transactions. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  /**
   * Transactions younger than this are not looked at: a live instance commits every commit interval (100 ms or
   * less here), and a dead one leaves the group only after its session timeout, seconds after its last
   * transaction began.
   */
  public static final Duration DEFAULT_MIN_AGE = Duration.ofSeconds(2);

  private final Admin admin;
  private final String applicationId;
  private final Pattern transactionalId;
  private final Pattern clientId;
  private final Duration minAge;
  private final ScheduledExecutorService timer;
  private boolean warned;

  private ZombieFencer(Admin admin, String applicationId, Duration minAge) {
    this.admin = admin;
    this.applicationId = applicationId;
    this.transactionalId = Pattern.compile(Pattern.quote(applicationId) + "-(" + UUID + ")-\\d+");
    this.clientId = Pattern.compile(Pattern.quote(applicationId) + "-(" + UUID + ")-");
    this.minAge = minAge;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "zombie-fencer-" + applicationId);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts looking for the open transactions of {@code applicationId}'s dead instances.
   *
   * @param adminProperties the admin client's settings: bootstrap servers, TLS, SASL
   */
  public static ZombieFencer start(Properties adminProperties, String applicationId, Duration interval,
      Duration minAge) {
    ZombieFencer fencer = new ZombieFencer(Admin.create(adminProperties), applicationId, minAge);
    fencer.timer.scheduleWithFixedDelay(fencer::fenceOnce, interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return fencer;
  }

  /** One look: fences the dead instances' open transactions and returns their transactional ids. */
  Set<String> fenceOnce() {
    try {
      List<String> open = admin.listTransactions(new ListTransactionsOptions()
              .filterStates(List.of(TransactionState.ONGOING))
              .filterOnDuration(minAge.toMillis())
              .filterOnTransactionalIdPattern(transactionalId.pattern()))
          .all().get(10, TimeUnit.SECONDS).stream().map(TransactionListing::transactionalId)
          .filter(id -> transactionalId.matcher(id).matches()).toList();
      if (open.isEmpty()) {
        return Set.of();
      }
      Set<String> live = liveProcessIds();
      if (live == null) {
        return Set.of();
      }
      Set<String> zombies = new HashSet<>();
      for (String id : open) {
        Matcher m = transactionalId.matcher(id);
        if (m.matches() && !live.contains(m.group(1))) {
          zombies.add(id);
        }
      }
      if (!zombies.isEmpty()) {
        admin.fenceProducers(zombies).all().get(10, TimeUnit.SECONDS);
        log.info("aborted the open transactions of {} instances that left the group: {}", applicationId, zombies);
      }
      return zombies;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Set.of();
    } catch (Exception e) {
      if (!warned) {
        warned = true;
        log.warn("cannot look for dead {} instances' transactions (will keep trying): {}", applicationId,
            e.toString());
      }
      return Set.of();
    }
  }

  /**
   * The process ids of the group's members, or null if no transaction can be told dead: the group shows no
   * member at all (this instance, which is looking, has not joined yet, or the coordinator has just moved), or a
   * member's client id names no process id (a {@code client.id} set by hand).
   */
  private Set<String> liveProcessIds() throws Exception {
    Set<String> live = new HashSet<>();
    Collection<MemberDescription> members = admin.describeConsumerGroups(List.of(applicationId)).all()
        .get(10, TimeUnit.SECONDS).get(applicationId).members();
    if (members.isEmpty()) {
      return null;
    }
    for (MemberDescription m : members) {
      Matcher id = clientId.matcher(m.clientId());
      if (!id.lookingAt()) {
        if (!warned) {
          warned = true;
          log.warn("{}: member client id {} names no Kafka Streams process id (client.id set?); the open "
              + "transactions of dead instances are left to their timeout", applicationId, m.clientId());
        }
        return null;
      }
      live.add(id.group(1));
    }
    return live;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
