package dev.plinth.datasync;

import dev.plinth.datasync.primitive.Kind;
import dev.plinth.datasync.model.PersistentMap;
import dev.plinth.datasync.model.Snapshot;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Assembles the listeners' consistent batches into one immutable {@link Snapshot}: each
 * collection's persistent map ({@link PersistentMap}: a full result is adopted without a
 * copy, a change is O(log32 n) and shares structure with the previous version), each
 * collection's read time, and the revision (the newest read time). A new snapshot is
 * published through an atomic reference, so readers never lock and always see a complete
 * view; unchanged collections and the indexes derived from them are shared between
 * consecutive snapshots. Ready once every collection has delivered its first result.
 * Batches are applied by one thread (the control plane's applier); reads and read-time
 * waits come from any thread.
 */
final class SnapshotAssembly {

    /**
     * A batch applied: the snapshot it made, whether it was its collection's first result,
     * and whether the collection now disagrees with the server's existence-filter count (a
     * resumed stream missed a deletion: the collection must be loaded again from scratch;
     * such a batch is not a first result).
     */
    record Applied(Snapshot snapshot, boolean firstResult, boolean countMismatch) {}

    private final Object lock = new Object();
    private final Map<Kind, PersistentMap<String, Object>> published = new EnumMap<>(Kind.class);
    private final Map<Kind, Long> readTimes = new EnumMap<>(Kind.class);
    /** Per collection, where its stream can resume (empty: from scratch). */
    private final Map<Kind, byte[]> resumeTokens = new EnumMap<>(Kind.class);
    /** Counts applied batches: the persisted file is rewritten only when it moved. */
    private long version;
    private final Set<Kind> firstResults = EnumSet.noneOf(Kind.class);
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private final CountDownLatch ready = new CountDownLatch(Kind.values().length);
    private long revision;

    SnapshotAssembly() {
        for (Kind s : Kind.values()) {
            published.put(s, PersistentMap.empty());
            readTimes.put(s, 0L);
            resumeTokens.put(s, new byte[0]);
        }
    }

    /**
     * Starts from a persisted snapshot: its collections, read times and resume tokens; the
     * snapshot they make becomes {@link #latest}, but no collection counts as delivered
     * (ready means caught up with Firestore).
     */
    Snapshot seed(Map<Kind, SnapshotFile.Target> targets) {
        synchronized (lock) {
            targets.forEach((kind, t) -> {
                published.put(kind, t.records() instanceof HashMap<String, Object> table
                        ? PersistentMap.adopt(table) : PersistentMap.from(t.records()));
                readTimes.put(kind, t.readTimeMicros());
                resumeTokens.put(kind, t.resumeToken());
                revision = Math.max(revision, t.readTimeMicros());
            });
            Snapshot seeded = build(null);
            current.set(seeded);
            return seeded;
        }
    }

    /** Where the collection's stream can resume (empty: from scratch). */
    byte[] resumeToken(Kind source) {
        synchronized (lock) {
            return resumeTokens.get(source);
        }
    }

    /** Where each collection's stream resumes, from a file's header (its documents come later, {@link #seed}). */
    void seedResumeTokens(Map<Kind, SnapshotFile.Target> resume) {
        synchronized (lock) {
            resume.forEach((kind, t) -> resumeTokens.put(kind, t.resumeToken()));
        }
    }

    /** Every collection's next stream starts from scratch. */
    void forgetResumeTokens() {
        synchronized (lock) {
            resumeTokens.replaceAll((k, t) -> new byte[0]);
        }
    }

    /** Forgets where the collection can resume: its next stream starts from scratch. */
    void forgetResumeToken(Kind source) {
        synchronized (lock) {
            resumeTokens.put(source, new byte[0]);
        }
    }

    /** What a snapshot file holds, captured consistently (the maps are immutable), and the version it is at. */
    record Persistable(long version, Map<Kind, SnapshotFile.Target> targets) {}

    Persistable persistable() {
        synchronized (lock) {
            var targets = new EnumMap<Kind, SnapshotFile.Target>(Kind.class);
            for (Kind k : Kind.values()) {
                targets.put(k, new SnapshotFile.Target(readTimes.get(k), resumeTokens.get(k), published.get(k)));
            }
            return new Persistable(version, targets);
        }
    }

    Applied apply(Kind source, ListenStream.Batch batch) {
        Snapshot next;
        boolean first;
        synchronized (lock) {
            PersistentMap<String, Object> map;
            if (batch.full()) {
                map = PersistentMap.adopt(batch.changes());
            } else {
                // Persistent map: a change costs O(log n) and shares the rest with the
                // previous snapshot, instead of copying a million memberships.
                map = published.get(source);
                for (var change : batch.changes().entrySet()) {
                    map = change.getValue() == ListenStream.REMOVED ? map.minus(change.getKey()) : map.plus(change.getKey(), change.getValue());
                }
            }
            if (batch.expectedCount() != ListenStream.Batch.NO_COUNT && batch.expectedCount() != map.size()) {
                // Not applied: the resumed changes missed a deletion, and keeping a deleted
                // membership would keep its roles. The collection is loaded again from scratch.
                resumeTokens.put(source, new byte[0]);
                return new Applied(current.get(), false, true);
            }
            published.put(source, map);
            long readTime = ControlPlane.micros(batch.readTime());
            readTimes.merge(source, readTime, Math::max);
            version++;
            if (batch.resumeToken().length > 0) {
                resumeTokens.put(source, batch.resumeToken());
            }
            // Counted once per source, whatever retries came before its first result.
            first = firstResults.add(source);
            revision = Math.max(revision, readTime);
            next = build(source == Kind.USERS && !batch.full() ? batch.changes().keySet() : null);
            current.set(next);
            lock.notifyAll();
        }
        if (first) {
            ready.countDown();
        }
        return new Applied(next, first, false);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Snapshot build(Set<String> changedUsers) {
        var times = new HashMap<String, Long>();
        readTimes.forEach((s, t) -> times.put(s.collection(), t));
        Map p = published;
        var entities = new Snapshot.Entities(
                (Map) p.get(Kind.TENANTS), (Map) p.get(Kind.USERS), (Map) p.get(Kind.MEMBERS),
                (Map) p.get(Kind.MODES), (Map) p.get(Kind.IDENTITY_PROVIDERS), (Map) p.get(Kind.SECRETS),
                (Map) p.get(Kind.SURFACES), (Map) p.get(Kind.APPS), (Map) p.get(Kind.SUBSCRIPTIONS),
                (Map) p.get(Kind.PROJECTS), (Map) p.get(Kind.BACKENDS), (Map) p.get(Kind.ROUTES),
                (Map) p.get(Kind.RESOURCE_KINDS));
        return Snapshot.of(revision, times, entities, current.get(), changedUsers);
    }

    /** The read time the collection's listener has reached (µs; 0 before its first result). */
    long readTime(Kind source) {
        synchronized (lock) {
            return readTimes.get(source);
        }
    }

    /** Waits until the collection's read time reaches {@code micros}; whether it did within the timeout. */
    boolean awaitReadTime(Kind source, long micros, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (readTimes.get(source) < micros) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    boolean isReady() {
        return ready.getCount() == 0;
    }

    /** Whether every collection delivered its first result within the timeout. */
    boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The newest snapshot, complete or not. */
    Snapshot latest() {
        return current.get();
    }

    /** The newest complete snapshot; empty until ready. */
    Optional<Snapshot> snapshot() {
        return isReady() ? Optional.ofNullable(current.get()) : Optional.empty();
    }
}
