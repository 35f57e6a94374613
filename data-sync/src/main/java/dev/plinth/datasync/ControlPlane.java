package dev.plinth.datasync;

import com.google.cloud.firestore.Firestore;
import com.google.protobuf.Timestamp;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.primitive.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Mirrors the control-plane collections into one immutable {@link Snapshot}, live, from
 * four parts with one job each:
 * <ul>
 *   <li>{@link ListenTransport}: the gRPC channel of the Listen RPCs, beside the high-level
 *       client (which keeps a second full copy of every document in its snapshot listener;
 *       see {@link ListenStream});</li>
 *   <li>{@link ListenerSupervisor}: one listen stream per collection, re-subscribed with
 *       backoff when it fails (fail-static: the replica keeps deciding on its last snapshot);</li>
 *   <li>{@link SnapshotAssembly}: the streams' consistent batches, applied in order on one
 *       thread (the applier here), make the next snapshot; read times and their waits;</li>
 *   <li>{@link Heartbeat}: whether Firestore answers (DEGRADED when not), and on recovery
 *       the failed streams are re-subscribed at once.</li>
 * </ul>
 * One listener per {@link Kind} (the registry). The replica is ready once every listener
 * has delivered its first snapshot.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class.getName());

    /** A listener's state, for health. */
    public record ListenerState(String state, long readTimeMicros, Instant lastEventAt, String lastError) {}


    private final ListenTransport transport;
    private final SnapshotAssembly assembly = new SnapshotAssembly();
    private final ListenerSupervisor listeners;
    private final Heartbeat heartbeat;
    private final List<Consumer<Snapshot>> subscribers = new CopyOnWriteArrayList<>();
    /**
     * Applies the listeners' batches and errors, in the order they arrived. The listen streams
     * decode on the transport's own thread, which must never block; applying a batch notifies
     * subscribers, and one of them may close a backend's client.
     */
    private final ExecutorService applier = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("plinth-snapshot-apply").factory());
    private long startedAt;

    public ControlPlane(Firestore db, Clock clock) {
        this.transport = new ListenTransport(db.getOptions());
        this.listeners = new ListenerSupervisor(transport, clock, new ListenerSupervisor.Sink() {
            @Override
            public void batch(Kind source, ListenStream.Batch batch) {
                onApplier(() -> apply(source, batch));
            }

            @Override
            public void ended(Kind source, Throwable cause, Runnable retry) {
                onApplier(retry);
            }
        });
        this.heartbeat = new Heartbeat(db, clock, () -> {
            LOG.info("Firestore reachable again; re-subscribing the failed listeners to catch up");
            listeners.resubscribeRetrying();
        });
    }

    /** Subscribes every listener and starts the reachability heartbeat. Returns at once; see {@link #awaitReady}. */
    public ControlPlane start() {
        startedAt = System.nanoTime();
        listeners.start();
        heartbeat.start();
        return this;
    }

    /** Whether the last heartbeat reached Firestore. When false the replica is degraded: it decides on its last snapshot and refuses writes. */
    public boolean isReachable() {
        return heartbeat.reachable();
    }

    /** How long since Firestore last answered (zero while reachable). */
    public Duration staleness() {
        return heartbeat.staleness();
    }

    /** Waits until every listener has delivered its first snapshot. */
    public Snapshot awaitReady(Duration timeout) throws InterruptedException {
        if (!assembly.awaitReady(timeout)) {
            throw new IllegalStateException("control plane not ready after " + timeout.toSeconds() + " s; listeners: " + listenerStates());
        }
        return assembly.latest();
    }

    public boolean isReady() {
        return assembly.isReady();
    }

    /** The newest complete snapshot; empty until ready. */
    public Optional<Snapshot> snapshot() {
        return assembly.snapshot();
    }

    /**
     * Called with the current snapshot if ready (on the caller's thread), then with every
     * newly published one, in order, on the one thread that applies the listeners' batches:
     * a slow subscriber delays the next snapshot, never the streams.
     */
    public void onSnapshot(Consumer<Snapshot> subscriber) {
        subscribers.add(subscriber);
        assembly.snapshot().ifPresent(subscriber);
    }

    /** Each listener's state, read time, last event and last error. */
    public Map<Kind, ListenerState> listenerStates() {
        var out = new EnumMap<Kind, ListenerState>(Kind.class);
        listeners.states().forEach((source, st) -> out.put(source,
                new ListenerState(st.state(), assembly.readTime(source), st.lastEventAt(), st.lastError())));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Waits until the listener of {@code source} has reached read time {@code micros}, i.e.
     * until the snapshot includes every write to that collection committed at or before it.
     *
     * @return whether it was reached within the timeout
     */
    public boolean awaitReadTime(Kind source, long micros, Duration timeout) throws InterruptedException {
        return assembly.awaitReadTime(source, micros, timeout);
    }

    private void onApplier(Runnable task) {
        try {
            applier.execute(task);
        } catch (RejectedExecutionException e) {
            // closed meanwhile: nothing is applied any more
        }
    }

    private void apply(Kind source, ListenStream.Batch batch) {
        // Live first: whoever the batch makes ready (awaitReady) sees every listener live.
        listeners.delivered(source);
        SnapshotAssembly.Applied applied = assembly.apply(source, batch);
        if (applied.firstResult()) {
            LOG.info(String.format("listener %s live: %,d documents (%.1f s after start)", source.collection(),
                    batch.changes().size(), (System.nanoTime() - startedAt) / 1e9));
        }
        if (assembly.isReady()) {
            for (Consumer<Snapshot> s : subscribers) {
                s.accept(applied.snapshot());
            }
        }
    }

    static long micros(Timestamp t) {
        return t.getSeconds() * 1_000_000L + t.getNanos() / 1_000;
    }

    @Override
    public void close() {
        listeners.close();
        heartbeat.close();
        applier.shutdownNow();
        transport.close();
    }
}
