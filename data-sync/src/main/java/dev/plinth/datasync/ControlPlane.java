package dev.plinth.datasync;

import com.google.cloud.Timestamp;
import com.google.cloud.firestore.DocumentChange;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.ListenerRegistration;
import com.google.cloud.firestore.Query;
import com.google.cloud.firestore.QuerySnapshot;
import dev.plinth.datasync.model.PersistentMap;
import dev.plinth.datasync.model.Snapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Mirrors the control-plane collections into one immutable {@link Snapshot}, live.
 *
 * <p>Design note. One snapshot listener per collection (members through a collection-group
 * query). Each listener's changes are applied, under one lock, to that collection's
 * persistent map ({@link PersistentMap}, a hash trie: a change is O(log32 n) and
 * shares structure with the previous version); then a new {@code Snapshot} is published through an atomic
 * reference, so readers never lock and always see a complete view. Unchanged collections
 * and the indexes derived from them are shared between consecutive snapshots. The first event of every (re)subscription is a full
 * result and replaces the collection's map, so documents deleted while a listener was
 * down disappear. A listener that fails is re-subscribed with exponential backoff while
 * the replica keeps deciding on its last snapshot (fail-static).
 *
 * <p>The replica is ready once every listener has delivered its first snapshot.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class.getName());

    /** The listened collections. */
    public enum Source {
        TENANTS("tenants", false), USERS("users", false), MEMBERS("members", true), MODES("modes", false),
        IDENTITY_PROVIDERS("identity_providers", false), SECRETS("secrets", false), SURFACES("surfaces", false),
        APPS("apps", false), SUBSCRIPTIONS("subscriptions", true), PROJECTS("projects", true),
        BACKENDS("backends", false), ROUTES("routes", false), RESOURCE_KINDS("resource_kinds", false);

        final String collection;
        /** Lives under {@code tenants/{t}/}; listened to as a collection group. */
        final boolean tenantScoped;

        Source(String collection, boolean tenantScoped) {
            this.collection = collection;
            this.tenantScoped = tenantScoped;
        }

        public String collection() {
            return collection;
        }

        /** The source listening to a collection id, if any. */
        public static Optional<Source> ofCollection(String collection) {
            for (Source s : values()) {
                if (s.collection.equals(collection)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /** A listener's state, for health. */
    public record ListenerState(String state, long readTimeMicros, Instant lastEventAt, String lastError) {}

    private final Firestore db;
    private final Clock clock;
    private final Object lock = new Object();
    private final Map<Source, PersistentMap<String, Object>> published = new EnumMap<>(Source.class);
    private final Map<Source, ListenerState> states = new EnumMap<>(Source.class);
    private final Map<Source, ListenerRegistration> registrations = new EnumMap<>(Source.class);
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private final CountDownLatch ready = new CountDownLatch(Source.values().length);
    private final List<Consumer<Snapshot>> subscribers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("plinth-control-plane-retry").factory());
    private long revision;
    private volatile boolean closed;
    private volatile boolean reachable = true;
    private volatile Instant lastContact;

    public ControlPlane(Firestore db, Clock clock) {
        this.db = db;
        this.clock = clock;
        for (Source s : Source.values()) {
            published.put(s, PersistentMap.empty());
            states.put(s, new ListenerState("subscribing", 0, null, null));
        }
    }

    /** Subscribes every listener and starts the reachability heartbeat. Returns at once; see {@link #awaitReady}. */
    public ControlPlane start() {
        for (Source s : Source.values()) {
            subscribe(s, 0);
        }
        lastContact = clock.instant();
        retries.scheduleWithFixedDelay(this::heartbeat, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    /**
     * Listeners reconnect silently (no error callback when Firestore goes away), so
     * reachability is probed with a small read every second.
     */
    private void heartbeat() {
        try {
            db.collection("system").document("seed").get().get(2, TimeUnit.SECONDS);
            if (!reachable) {
                // The client's own listener reconnect takes 5–15 s against the emulator;
                // re-subscribing now catches up at once (each first event is a full result).
                LOG.info("Firestore reachable again; re-subscribing every listener to catch up");
                reachable = true;
                for (Source s : Source.values()) {
                    resubscribe(s);
                }
            }
            reachable = true;
            lastContact = clock.instant();
        } catch (Exception e) {
            if (reachable) {
                LOG.warning("Firestore unreachable; deciding on the last snapshot, refusing writes: " + e);
            }
            reachable = false;
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the last heartbeat reached Firestore. When false the replica is degraded: it decides on its last snapshot and refuses writes. */
    public boolean isReachable() {
        return reachable;
    }

    /** How long since Firestore last answered (zero while reachable). */
    public Duration staleness() {
        Instant last = lastContact;
        return reachable || last == null ? Duration.ZERO : Duration.between(last, clock.instant());
    }

    /** Waits until every listener has delivered its first snapshot. */
    public Snapshot awaitReady(Duration timeout) throws InterruptedException {
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("control plane not ready after " + timeout.toSeconds() + " s; listeners: " + listenerStates());
        }
        return current.get();
    }

    public boolean isReady() {
        return ready.getCount() == 0;
    }

    /** The newest complete snapshot; empty until ready. */
    public Optional<Snapshot> snapshot() {
        return isReady() ? Optional.ofNullable(current.get()) : Optional.empty();
    }

    /** Called with every newly published snapshot, on the listener's thread. */
    public void onSnapshot(Consumer<Snapshot> subscriber) {
        subscribers.add(subscriber);
        Snapshot s = current.get();
        if (s != null && isReady()) {
            subscriber.accept(s);
        }
    }

    public Map<Source, ListenerState> listenerStates() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new EnumMap<>(states));
        }
    }

    private void subscribe(Source source, int attempt) {
        if (closed) {
            return;
        }
        Query query = source.tenantScoped ? db.collectionGroup(source.collection) : db.collection(source.collection);
        boolean[] first = {true};
        ListenerRegistration registration = query.addSnapshotListener((snap, error) -> {
            if (error != null) {
                onListenerError(source, attempt, error);
                return;
            }
            apply(source, snap, first[0]);
            first[0] = false;
        });
        synchronized (lock) {
            registrations.put(source, registration);
        }
    }

    private void resubscribe(Source source) {
        synchronized (lock) {
            ListenerRegistration r = registrations.remove(source);
            if (r != null) {
                r.remove();
            }
            ListenerState old = states.get(source);
            states.put(source, new ListenerState("catching-up", old.readTimeMicros(), old.lastEventAt(), old.lastError()));
        }
        subscribe(source, 0);
    }

    private void onListenerError(Source source, int attempt, Exception error) {
        long delayMs = Math.min(30_000, 500L << Math.min(attempt, 6));
        LOG.log(Level.WARNING, "listener " + source.collection + " failed; re-subscribing in " + delayMs + " ms: " + error.getMessage());
        synchronized (lock) {
            ListenerState old = states.get(source);
            states.put(source, new ListenerState("retrying", old.readTimeMicros(), old.lastEventAt(), error.getMessage()));
            ListenerRegistration r = registrations.remove(source);
            if (r != null) {
                r.remove();
            }
        }
        if (!closed) {
            retries.schedule(() -> subscribe(source, attempt + 1), delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void apply(Source source, QuerySnapshot snap, boolean full) {
        Function<DocumentSnapshot, Object> parse = parser(source);
        Snapshot next;
        boolean becameReady = false;
        synchronized (lock) {
            PersistentMap<String, Object> map;
            if (full) {
                var all = new HashMap<String, Object>();
                for (DocumentSnapshot d : snap.getDocuments()) {
                    put(source, all, d, parse);
                }
                map = PersistentMap.from(all);
            } else {
                // Persistent map: a change costs O(log n) and shares the rest with the
                // previous snapshot, instead of copying a million memberships.
                map = published.get(source);
                for (DocumentChange change : snap.getDocumentChanges()) {
                    DocumentSnapshot d = change.getDocument();
                    if (change.getType() == DocumentChange.Type.REMOVED) {
                        map = map.minus(key(source, d));
                    } else {
                        Object parsed = parse(source, d, parse);
                        if (parsed != null) {
                            map = map.plus(key(source, d), parsed);
                        }
                    }
                }
            }
            published.put(source, map);
            long readTime = micros(snap.getReadTime());
            ListenerState old = states.get(source);
            becameReady = "subscribing".equals(old.state());
            states.put(source, new ListenerState("live", Math.max(readTime, old.readTimeMicros()), clock.instant(), null));
            revision = Math.max(revision, readTime);
            next = build();
            current.set(next);
            lock.notifyAll();
        }
        if (becameReady) {
            ready.countDown();
        }
        if (isReady()) {
            for (Consumer<Snapshot> s : subscribers) {
                s.accept(next);
            }
        }
    }

    private void put(Source source, Map<String, Object> map, DocumentSnapshot d, Function<DocumentSnapshot, Object> parse) {
        Object parsed = parse(source, d, parse);
        if (parsed != null) {
            map.put(key(source, d), parsed);
        }
    }

    private static Object parse(Source source, DocumentSnapshot d, Function<DocumentSnapshot, Object> parse) {
        try {
            return parse.apply(d);
        } catch (RuntimeException e) {
            // One malformed document must not take the replica down; it is skipped and named.
            LOG.log(Level.WARNING, "skipping malformed control-plane document " + d.getReference().getPath() + ": " + e.getMessage());
            return null;
        }
    }

    private static String key(Source source, DocumentSnapshot d) {
        return source.tenantScoped ? Snapshot.tenantScopedKey(DocumentParser.tenantOf(d), d.getId()) : d.getId();
    }

    private static Function<DocumentSnapshot, Object> parser(Source source) {
        return switch (source) {
            case TENANTS -> DocumentParser::tenant;
            case USERS -> DocumentParser::user;
            case MEMBERS -> DocumentParser::membership;
            case MODES -> DocumentParser::mode;
            case IDENTITY_PROVIDERS -> DocumentParser::identityProvider;
            case SECRETS -> DocumentParser::secret;
            case SURFACES -> DocumentParser::surface;
            case APPS -> DocumentParser::app;
            case SUBSCRIPTIONS -> DocumentParser::subscription;
            case PROJECTS -> DocumentParser::project;
            case BACKENDS -> DocumentParser::backend;
            case ROUTES -> DocumentParser::route;
            case RESOURCE_KINDS -> DocumentParser::resourceKind;
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Snapshot build() {
        var readTimes = new HashMap<String, Long>();
        states.forEach((s, st) -> readTimes.put(s.collection, st.readTimeMicros()));
        Map p = published;
        var entities = new Snapshot.Entities(
                (Map) p.get(Source.TENANTS), (Map) p.get(Source.USERS), (Map) p.get(Source.MEMBERS),
                (Map) p.get(Source.MODES), (Map) p.get(Source.IDENTITY_PROVIDERS), (Map) p.get(Source.SECRETS),
                (Map) p.get(Source.SURFACES), (Map) p.get(Source.APPS), (Map) p.get(Source.SUBSCRIPTIONS),
                (Map) p.get(Source.PROJECTS), (Map) p.get(Source.BACKENDS), (Map) p.get(Source.ROUTES),
                (Map) p.get(Source.RESOURCE_KINDS));
        return Snapshot.of(revision, readTimes, entities, current.get());
    }

    /**
     * Waits until the listener of {@code source} has reached read time {@code micros}, i.e.
     * until the snapshot includes every write to that collection committed at or before it.
     *
     * @return whether it was reached within the timeout
     */
    public boolean awaitReadTime(Source source, long micros, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (states.get(source).readTimeMicros() < micros) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    static long micros(Timestamp t) {
        return t == null ? 0 : t.getSeconds() * 1_000_000L + t.getNanos() / 1_000;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            new ArrayList<>(registrations.values()).forEach(ListenerRegistration::remove);
            registrations.clear();
        }
        retries.shutdownNow();
    }
}
