package dev.tilefarm.splitter;

import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JsonSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global store of {@link JobOutcomes} from the job control topic (the farm's own records, read
 * committed under exactly-once): every splitter instance sees every job's state, whatever partition the job is
 * on. On a restart the store is rebuilt through this processor. Ended jobs are forgotten {@code retention} after
 * their end (looked for at most once a minute): a job after one that ended earlier than that finds it unknown.
 */
final class OutcomeRecorder implements Processor<String, byte[], Void, Void> {
  /** The global store it keeps: job id -> the job's state as the job control topic tells (see {@link JobOutcomes}). */
  static final String STORE = "job-outcomes";
  private static final JsonSerde<JobControl> CONTROLS = new JsonSerde<>(JobControl.class);
  private static final long PURGE_EVERY_MS = Duration.ofMinutes(1).toMillis();

  private final LongSupplier clock;
  private final Duration retention;
  private KeyValueStore<String, String> store;
  private long nextPurge;

  OutcomeRecorder(LongSupplier clock, Duration retention) {
    this.clock = clock;
    this.retention = retention;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    JobControl control;
    try {
      control = CONTROLS.decode(record.value());
    } catch (RuntimeException e) {
      return; // not a record of ours (the compositor dead-letters such records on its side)
    }
    if (control.jobId() != null && control.jobId().equals(record.key())) {
      JobOutcomes.Known known = JobOutcomes.after(JobOutcomes.decode(store.get(record.key())), control);
      if (known != null) {
        store.put(record.key(), JobOutcomes.encode(known));
      }
    }
    long now = clock.getAsLong();
    if (now >= nextPurge) {
      nextPurge = now + PURGE_EVERY_MS;
      purge(now);
    }
  }

  private void purge(long now) {
    List<String> old = new ArrayList<>();
    try (KeyValueIterator<String, String> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, String> e = all.next();
        JobOutcomes.Known k = JobOutcomes.decode(e.value);
        if (k.state().ended() && now - k.at() >= retention.toMillis()) {
          old.add(e.key);
        }
      }
    }
    old.forEach(store::delete);
  }
}
