package dev.plinth.datasync;

import com.google.cloud.firestore.Firestore;
import com.google.protobuf.Timestamp;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.primitive.Kind;
import java.nio.file.Path;
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
 *
 * <p>With {@link Persistence} on, the last complete snapshot is kept on disk
 * ({@link SnapshotFile}), written on a period off the request path and at close. A start
 * loads it and resumes every stream from its resume token, so only the changes since are
 * sent (the server may reset a target and send the full result: then it is a full load,
 * logged); ready still means caught up, so a change made while the replica was down is in
 * its first decision. A start while Firestore is unreachable serves the file instead, in the
 * DEGRADED state, while its age is within {@code t_system.defaults.max_boot_staleness_seconds}
 * (data, as of the file); beyond it, or when that is unset, the replica is not ready and
 * {@link #notReadyReason} says why.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class.getName());

    /** A listener's state, for health. */
    public record ListenerState(String state, long readTimeMicros, Instant lastEventAt, String lastError) {}

    /**
     * Where a replica keeps its last snapshot, and how often it rewrites it.
     *
     * @param file     the snapshot file (its side file {@code <file>.verified} beside it), or null: not persisted
     * @param interval how often the file is brought up to date while the mirror changes
     */
    public record Persistence(Path file, Duration interval) {
        public static final Persistence OFF = new Persistence(null, Duration.ofSeconds(30));

        public Persistence {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the snapshot interval must be positive, was " + interval);
            }
        }

        /** The file for a Firestore project and database in {@code directory}. */
        public static Persistence in(Path directory, String project, String database, Duration interval) {
            String db = database == null || database.equals("(default)") ? "" : "-" + database;
            return new Persistence(directory.resolve("control-plane-" + project + db + ".snapshot"), interval);
        }
    }

    /**
     * How the replica started: from Firestore (a full load or resumed streams) or serving its
     * snapshot file during an outage, and that file's age.
     *
     * @param servedFrom        {@code firestore}, {@code snapshot_file} (serving the file, not yet caught up) or
     *                          {@code loading}
     * @param snapshotFileAge   how long since the loaded file was last known current; null without a file
     * @param notReadyReason    why the replica is not ready, when a reason is known beyond "still loading"
     */
    public record Startup(String servedFrom, Duration snapshotFileAge, String notReadyReason) {}


    /** The listen streams' channel; replaced when the liveness heartbeat finds it silent. */
    private volatile ListenTransport transport;
    private final com.google.cloud.firestore.FirestoreOptions listenOptions;
    private final Liveness liveness;
    private final SnapshotAssembly assembly = new SnapshotAssembly();
    private final Clock clock;
    private final SnapshotFile file;
    private final Duration persistInterval;
    /** Counted down once the replica may serve: caught up, or serving its file during an outage at start. */
    private final java.util.concurrent.CountDownLatch usable = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.ScheduledExecutorService persister;
    /** The loaded file's last known-current time and the staleness bound it carries (set once, at start). */
    private volatile Instant fileVerifiedAt;
    private volatile Optional<Duration> maxBootStaleness = Optional.empty();
    private volatile boolean servingFile;
    /** The file's documents are loaded, refused, or there was no file. */
    private volatile boolean fileSettled;
    /** The file's header was used to resume, then the file was refused: batches of those streams are dropped. */
    private volatile boolean fileRefused;
    private volatile String fileRefusal;
    /** Persister state (its thread only). */
    private long persistedVersion = -1;
    private Instant lastVerified;
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
        this(db, clock, Persistence.OFF);
    }

    public ControlPlane(Firestore db, Clock clock, Persistence persistence) {
        this(db, db.getOptions(), clock, persistence);
    }

    /**
     * @param listenOptions where the listen streams connect: the client's own options, or the
     *                      same database through another endpoint (a proxy; the tests' fault-injecting relay)
     */
    ControlPlane(Firestore db, com.google.cloud.firestore.FirestoreOptions listenOptions, Clock clock, Persistence persistence) {
        this.clock = clock;
        this.listenOptions = listenOptions;
        this.transport = new ListenTransport(listenOptions);
        this.file = persistence.file() == null ? null : new SnapshotFile(persistence.file(), transport.database());
        this.persistInterval = persistence.interval();
        this.persister = file == null ? null : Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("plinth-snapshot-persist").factory());
        this.listeners = new ListenerSupervisor(() -> this.transport.listen(), transport.database(), clock, assembly::resumeToken,
                new ListenerSupervisor.Sink() {
            @Override
            public void batch(Kind source, ListenStream.Batch batch, boolean resumed) {
                onApplier(() -> apply(source, batch, resumed));
            }

            @Override
            public void ended(Kind source, Throwable cause, Runnable retry) {
                onApplier(retry);
            }
        });
        this.heartbeat = new Heartbeat(db, clock, () -> {
            LOG.info("Firestore reachable again; re-subscribing the failed listeners to catch up");
            listeners.resubscribeRetrying();
        }, this::unreachable);
        this.liveness = new Liveness(db, clock, () -> assembly.latest() == null ? dev.plinth.datasync.model.PlatformDefaults.NONE
                : assembly.latest().platform(), () -> this.transport.listen(), transport.database(), this::reopenStreams);
    }

    /**
     * The listen channel is silent (a heartbeat did not come back): a new channel, and every
     * stream on it, resumed from where it stopped. The old channel is closed after the
     * streams moved, so nothing waits on it.
     */
    private void reopenStreams() {
        ListenTransport old = transport;
        transport = new ListenTransport(listenOptions);
        listeners.resubscribeAll();
        liveness.resubscribe();
        old.close();
    }

    /** Why the mirror is not known to be live (a heartbeat did not come back through the listen streams), if so. */
    public Optional<String> livenessProblem() {
        return Optional.ofNullable(liveness.state().problem());
    }

    /**
     * Loads the snapshot file (when persisted), subscribes every listener (resuming where the
     * file stopped) and starts the reachability heartbeat. Returns once the file is read;
     * see {@link #awaitReady}.
     */
    public ControlPlane start() {
        startedAt = System.nanoTime();
        // First: whether Firestore answers is learnt while the file loads.
        heartbeat.start();
        if (file != null) {
            SnapshotFile.Header header = header();
            if (header != null) {
                // The streams resume at once, from the header's tokens; the documents load on the
                // applier before any batch, so every resumed change applies on top of them, and the
                // load overlaps the server's preparing of the targets (3-5 s at 2.1 million documents).
                assembly.seedResumeTokens(header.resume());
                onApplier(this::load);
            } else {
                fileSettled = true;
            }
            persister.scheduleWithFixedDelay(this::persist, persistInterval.toMillis(), persistInterval.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        listeners.start();
        // Heartbeat documents only once the mirror is usable: they prove a live mirror live, and
        // each one written during a cold start is a change the emulator folds into the targets it
        // is still preparing (measured: a cold start at 2.1 million documents took 102 s instead of ~50 s).
        Thread.ofPlatform().daemon().name("plinth-liveness-start").start(() -> {
            try {
                usable.await();
                liveness.start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return this;
    }

    private SnapshotFile.Header header() {
        try {
            return file.readHeader();
        } catch (SnapshotFile.Unusable e) {
            if (e.missing) {
                LOG.info(e.getMessage() + " yet; loading the control plane from Firestore");
            } else {
                LOG.warning(e.getMessage() + "; loading the control plane from Firestore instead");
            }
            return null;
        }
    }

    /** On the applier, first: the file's documents. Refused (the checksum) means the resumed streams start again from scratch. */
    private void load() {
        long t0 = System.nanoTime();
        try {
            SnapshotFile.Contents contents = file.read();
            Snapshot seeded = assembly.seed(contents.targets());
            fileVerifiedAt = contents.verifiedAt();
            maxBootStaleness = seeded.platform().maxBootStaleness();
            lastVerified = contents.verifiedAt();
            int documents = contents.targets().values().stream().mapToInt(t -> t.records().size()).sum();
            LOG.info(String.format("loaded the snapshot file %s: %,d documents, last known current %s (%d s ago), in %.1f s;"
                            + " resuming the listen streams from it", file.path(), documents, fileVerifiedAt,
                    Duration.between(fileVerifiedAt, clock.instant()).toSeconds(), (System.nanoTime() - t0) / 1e9));
        } catch (SnapshotFile.Unusable e) {
            LOG.warning(e.getMessage() + "; loading the control plane from Firestore instead");
            fileRefused = true;
            assembly.forgetResumeTokens();
            listeners.resubscribeAll();
        } finally {
            fileSettled = true;
        }
        if (!heartbeat.reachable()) {
            unreachable(); // lost while the file loaded
        }
    }

    /** Firestore stopped answering: at a start not yet caught up, the snapshot file may be served. */
    private synchronized void unreachable() {
        if (file != null && !fileSettled) {
            return; // the load checks again when it is done
        }
        if (assembly.isReady() || fileVerifiedAt == null || servingFile) {
            if (!assembly.isReady() && fileVerifiedAt == null && file != null) {
                fileRefusal = "Firestore is unreachable and there is no usable snapshot file to start from";
            }
            return;
        }
        Duration age = Duration.between(fileVerifiedAt, clock.instant());
        if (maxBootStaleness.isEmpty()) {
            fileRefusal = "Firestore is unreachable; the snapshot file is not served because "
                    + "t_system.defaults.max_boot_staleness_seconds is not set";
        } else if (age.compareTo(maxBootStaleness.get()) > 0) {
            fileRefusal = "Firestore is unreachable and the snapshot file is " + age.toSeconds()
                    + " s old, beyond t_system.defaults.max_boot_staleness_seconds (" + maxBootStaleness.get().toSeconds() + ")";
        } else {
            LOG.warning("Firestore unreachable at start: serving the snapshot file (last known current " + age.toSeconds()
                    + " s ago, bound " + maxBootStaleness.get().toSeconds() + " s), DEGRADED, writes refused, until the listeners catch up");
            // On the applier, like every publication: subscribers (the engine's data) have it before anyone is told it is ready.
            onApplier(() -> {
                if (assembly.isReady()) {
                    return; // caught up meanwhile
                }
                servingFile = true;
                for (Consumer<Snapshot> sub : subscribers) {
                    sub.accept(assembly.latest());
                }
                usable.countDown();
            });
            return;
        }
        LOG.warning("not ready: " + fileRefusal);
    }

    /** Whether the file being served at a start is still within its staleness bound. */
    private boolean fileServable() {
        if (!servingFile) {
            return false;
        }
        Duration age = Duration.between(fileVerifiedAt, clock.instant());
        if (age.compareTo(maxBootStaleness.orElse(Duration.ZERO)) <= 0) {
            return true;
        }
        fileRefusal = "Firestore has been unreachable since the start and the snapshot file is now " + age.toSeconds()
                + " s old, beyond t_system.defaults.max_boot_staleness_seconds (" + maxBootStaleness.orElse(Duration.ZERO).toSeconds() + ")";
        return false;
    }

    /** How this replica started, and why it is not ready when that is known. */
    public Startup startup() {
        Duration age = fileVerifiedAt == null ? null : Duration.between(fileVerifiedAt, clock.instant());
        if (assembly.isReady()) {
            return new Startup("firestore", age, null);
        }
        if (fileServable()) {
            return new Startup("snapshot_file", age, null);
        }
        return new Startup("loading", age, fileRefusal);
    }

    /** Why the replica is not ready, when a reason is known beyond "still loading". */
    public Optional<String> notReadyReason() {
        return Optional.ofNullable(startup().notReadyReason());
    }

    /**
     * Brings the snapshot file up to date: rewritten when the mirror moved since the last
     * write, else its known-current time refreshed (a small side file) while every listener
     * is live and Firestore answers. Only a caught-up mirror is written.
     */
    private void persist() {
        try {
            if (!assembly.isReady()) {
                return;
            }
            boolean current = heartbeat.reachable() && listeners.states().values().stream().allMatch(st -> "live".equals(st.state()));
            Instant now = clock.instant();
            SnapshotAssembly.Persistable state = assembly.persistable();
            if (state.version() != persistedVersion) {
                Instant verified = current ? now : lastVerified;
                if (verified == null) {
                    return; // never known current yet: nothing worth keeping
                }
                long t0 = System.nanoTime();
                long bytes = file.write(state.targets(), verified);
                persistedVersion = state.version();
                lastVerified = verified;
                LOG.fine(String.format("wrote the snapshot file %s: %,d bytes in %.1f s", file.path(), bytes, (System.nanoTime() - t0) / 1e9));
            } else if (current) {
                file.markVerified(now);
                lastVerified = now;
            }
        } catch (Exception e) {
            LOG.log(java.util.logging.Level.WARNING, "could not write the snapshot file " + file.path() + " (the replica serves on; a restart"
                    + " may load the whole control plane): " + e.getMessage(), e);
        }
    }

    /** Whether the last heartbeat reached Firestore. When false the replica is degraded: it decides on its last snapshot and refuses writes. */
    public boolean isReachable() {
        return heartbeat.reachable();
    }

    /** How long since Firestore last answered (zero while reachable). */
    public Duration staleness() {
        return heartbeat.staleness();
    }

    /** Waits until every listener has delivered its first snapshot, or the snapshot file is served during an outage at start. */
    public Snapshot awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean reached = usable.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        if (reached && snapshot().isEmpty()) {
            // The file was served, and is now too old: only catching up makes the replica ready again.
            reached = assembly.awaitReady(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        if (!reached || snapshot().isEmpty()) {
            throw new IllegalStateException("control plane not ready after " + timeout.toSeconds() + " s"
                    + notReadyReason().map(r -> " (" + r + ")").orElse("") + "; listeners: " + listenerStates());
        }
        return snapshot().orElseThrow();
    }

    public boolean isReady() {
        return assembly.isReady() || fileServable();
    }

    /** The newest complete snapshot (or, during an outage at start, the snapshot file's within its bound); empty until ready. */
    public Optional<Snapshot> snapshot() {
        if (assembly.isReady()) {
            return assembly.snapshot();
        }
        return fileServable() ? Optional.of(assembly.latest()) : Optional.empty();
    }

    /**
     * Called with the current snapshot if ready (on the caller's thread), then with every
     * newly published one, in order, on the one thread that applies the listeners' batches:
     * a slow subscriber delays the next snapshot, never the streams.
     */
    public void onSnapshot(Consumer<Snapshot> subscriber) {
        subscribers.add(subscriber);
        snapshot().ifPresent(subscriber);
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

    private void apply(Kind source, ListenStream.Batch batch, boolean resumed) {
        if (fileRefused && resumed && !batch.full()) {
            return; // changes on top of documents that were never loaded; the stream was replaced
        }
        // Live first: whoever the batch makes ready (awaitReady) sees every listener live.
        listeners.delivered(source);
        SnapshotAssembly.Applied applied = assembly.apply(source, batch);
        if (applied.countMismatch()) {
            LOG.warning(String.format("listener %s: the resumed changes leave %s documents the server does not count (%,d);"
                    + " loading it again from scratch", source.collection(), "a different number of", batch.expectedCount()));
            listeners.resubscribe(source);
            return;
        }
        if (applied.firstResult()) {
            double at = (System.nanoTime() - startedAt) / 1e9;
            if (!resumed) {
                LOG.info(String.format("listener %s live: %,d documents (%.1f s after start)", source.collection(), batch.changes().size(), at));
            } else if (batch.full()) {
                LOG.info(String.format("listener %s live: it could not resume (the server reset the target), full result of %,d"
                        + " documents (%.1f s after start)", source.collection(), batch.changes().size(), at));
            } else {
                LOG.info(String.format("listener %s live: resumed, %,d changes since the snapshot file (%.1f s after start)",
                        source.collection(), batch.changes().size(), at));
            }
        }
        if (assembly.isReady() || servingFile) {
            for (Consumer<Snapshot> s : subscribers) {
                s.accept(applied.snapshot());
            }
            usable.countDown();
        }
    }

    static long micros(Timestamp t) {
        return t.getSeconds() * 1_000_000L + t.getNanos() / 1_000;
    }

    @Override
    public void close() {
        liveness.close();
        listeners.close();
        heartbeat.close();
        if (persister != null) {
            persister.shutdownNow();
            try {
                persister.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            persist(); // the newest state, for the next start
        }
        applier.shutdownNow();
        transport.close();
    }
}
