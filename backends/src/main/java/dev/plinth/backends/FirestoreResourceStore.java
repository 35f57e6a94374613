package dev.plinth.backends;

import com.google.cloud.firestore.CollectionReference;
import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.FieldPath;
import com.google.cloud.firestore.Firestore;
import dev.plinth.datasync.firestore.FirestoreCalls;
import dev.plinth.datasync.firestore.FirestoreClients;
import com.google.cloud.firestore.Query;
import com.google.cloud.firestore.Transaction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Resources as Firestore documents at
 * {@code <collection>/<tenant>/envs/<env>/kinds/<kind>/items/<key>}, holding the JSON text
 * in {@code value}; idempotency records at {@code <collection>/<tenant>/envs/<env>/idempotency/<id>}.
 * The project and database come from the backend's settings (the project defaults to the
 * control plane's).
 *
 * <p>Design note: truthful outcomes. Every mutation is one transaction whose body ends by
 * moving a small state machine from RUNNING to COMMITTING; a caller that gives up waiting
 * moves it from RUNNING to ABANDONED instead, and an abandoned body throws, so the client's
 * background retries can never commit it later. Whichever wins decides the answer: abandoned
 * means the commit was never sent ({@link StoreException.BackendUnavailable}, nothing
 * written); committing means it was, and a missing answer is
 * {@link StoreException.OutcomeUnknown}.
 */
final class FirestoreResourceStore implements ResourceStore {

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Firestore db;
    private final String collection;
    private final String name;
    /** How long one operation waits, retries included: data ({@code t_system.defaults.store_timeout_ms}). */
    private final java.util.function.Supplier<java.time.Duration> timeout;

    FirestoreResourceStore(String backendId, String projectId, String database, String collection, String emulatorHost,
                           java.util.function.Supplier<java.time.Duration> timeout) {
        this.timeout = timeout;
        this.db = FirestoreClients.open(projectId, database, emulatorHost);
        this.collection = collection;
        this.name = "backend " + backendId;
    }

    private DocumentReference envDoc(Partition p) {
        return db.collection(collection).document(p.tenantId()).collection("envs").document(p.env());
    }

    private CollectionReference items(Partition p) {
        return envDoc(p).collection("kinds").document(p.kind()).collection("items");
    }

    private DocumentReference item(Partition p, String key) {
        return items(p).document(Partition.checkKey(key));
    }

    @Override
    public Optional<String> get(Partition p, String key) {
        DocumentReference ref = item(p, key);
        DocumentSnapshot d = read(left -> ref.get().get(left, TimeUnit.MILLISECONDS));
        return d.exists() ? Optional.ofNullable(d.getString("value")) : Optional.empty();
    }

    @Override
    public void put(Partition p, String key, String json, Idempotency idem) {
        DocumentReference ref = item(p, key);
        mutate(p, ref, idem, Boolean.class, tx -> {
            tx.set(ref, Map.of("value", json));
            return true;
        });
    }

    @Override
    public boolean delete(Partition p, String key, Idempotency idem) {
        var ref = item(p, key);
        return mutate(p, ref, idem, Boolean.class, tx -> {
            boolean existed = tx.get(ref).get().exists();
            tx.delete(ref);
            return existed;
        });
    }

    @Override
    public List<Item> list(Partition p, String prefix, String startAfter, int limit) {
        Query q = items(p).orderBy(FieldPath.documentId());
        if (startAfter != null && startAfter.compareTo(prefix) >= 0) {
            q = q.startAfter(Partition.checkKey(startAfter));
        } else if (!prefix.isEmpty()) {
            q = q.startAt(prefix);
        }
        if (!prefix.isEmpty()) {
            // Every key with the prefix sorts before prefix + U+F8FF.
            q = q.endAt(prefix + "\uf8ff");
        }
        Query query = q.limit(limit);
        var out = new ArrayList<Item>();
        for (DocumentSnapshot d : read(left -> query.get().get(left, TimeUnit.MILLISECONDS)).getDocuments()) {
            out.add(new Item(d.getId(), d.getString("value")));
        }
        return out;
    }

    /** A numeric field of the stored JSON; 0 when absent. */
    private static long number(DocumentSnapshot d, String field) throws java.io.IOException {
        return stored(d).path(field).asLong(0);
    }

    private static Map<String, Object> json(Map<String, Object> fields) {
        try {
            return Map.of("value", MAPPER.writeValueAsString(fields));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long increment(Partition p, String key, long by, Idempotency idem) {
        var ref = item(p, key);
        return mutate(p, ref, idem, Long.class, tx -> {
            long next = ResourceStore.exact(number(tx.get(ref).get(), "value") + by, p.kind() + "/" + key);
            tx.set(ref, json(Map.of("value", next)));
            return next;
        });
    }

    @Override
    public LockState acquire(Partition p, String key, String owner, long ttlMillis, long nowMillis, Idempotency idem) {
        var ref = item(p, key);
        return mutate(p, ref, idem, LockState.class, tx -> {
            var current = stored(tx.get(ref).get());
            long token = current.path("fencing_token").asLong(0);
            String holder = current.path("owner").isTextual() ? current.path("owner").asText() : null;
            long expires = current.path("expires_at_ms").asLong(0);
            if (holder != null && expires > nowMillis && !holder.equals(owner)) {
                return new LockState(false, holder, token, expires);
            }
            long next = holder != null && holder.equals(owner) && expires > nowMillis ? token
                    : ResourceStore.exact(token + 1, "the fencing token of " + p.kind() + "/" + key);
            var fields = new LinkedHashMap<String, Object>();
            fields.put("owner", owner);
            fields.put("fencing_token", next);
            fields.put("expires_at_ms", nowMillis + ttlMillis);
            tx.set(ref, json(fields));
            return new LockState(true, owner, next, nowMillis + ttlMillis);
        });
    }

    @Override
    public boolean renew(Partition p, String key, String owner, long token, long ttlMillis, long nowMillis, Idempotency idem) {
        return changeLock(p, key, owner, token, nowMillis, nowMillis + ttlMillis, idem);
    }

    @Override
    public boolean release(Partition p, String key, String owner, long token, long nowMillis, Idempotency idem) {
        return changeLock(p, key, owner, token, nowMillis, -1, idem);
    }

    /** Renew (new expiry) or release (expiry -1: owner cleared, token kept) if still held. */
    private boolean changeLock(Partition p, String key, String owner, long token, long nowMillis, long expiresAt, Idempotency idem) {
        var ref = item(p, key);
        return mutate(p, ref, idem, Boolean.class, tx -> {
            var current = stored(tx.get(ref).get());
            boolean held = owner.equals(current.path("owner").asText(null)) && current.path("fencing_token").asLong(-1) == token
                    && current.path("expires_at_ms").asLong(0) > nowMillis;
            if (!held) {
                return false;
            }
            var fields = new LinkedHashMap<String, Object>();
            fields.put("owner", expiresAt < 0 ? null : owner);
            fields.put("fencing_token", token);
            fields.put("expires_at_ms", Math.max(expiresAt, 0));
            tx.set(ref, json(fields));
            return true;
        });
    }

    /** The stored JSON value of a resource document, {@code {}} when there is none. */
    private static com.fasterxml.jackson.databind.JsonNode stored(DocumentSnapshot d) throws java.io.IOException {
        return d.exists() && d.getString("value") != null ? MAPPER.readTree(d.getString("value")) : MAPPER.createObjectNode();
    }

    @Override
    public Debit debit(Partition p, String key, long amount, Idempotency idem) {
        var ref = item(p, key);
        return mutate(p, ref, idem, Debit.class, tx -> {
            long remaining = number(tx.get(ref).get(), "remaining");
            if (remaining < amount) {
                return new Debit(false, remaining);
            }
            tx.set(ref, json(Map.of("remaining", remaining - amount)));
            return new Debit(true, remaining - amount);
        });
    }

    @Override
    public long credit(Partition p, String key, long amount, Idempotency idem) {
        var ref = item(p, key);
        return mutate(p, ref, idem, Long.class, tx -> {
            long remaining = ResourceStore.exact(number(tx.get(ref).get(), "remaining") + amount, p.kind() + "/" + key);
            tx.set(ref, json(Map.of("remaining", remaining)));
            return remaining;
        });
    }

    /**
     * Concurrent writers of one resource (50 debits of one budget) conflict; the client
     * retries an aborted transaction, and the default 5 attempts is too few for that, so
     * resource transactions get more.
     */
    private static final com.google.cloud.firestore.TransactionOptions CONTENDED =
            com.google.cloud.firestore.TransactionOptions.createReadWriteOptionsBuilder().setNumberOfAttempts(100).build();

    @Override
    public void append(Partition p, String key, String json, long atMillis, Idempotency idem) {
        var events = item(p, key).collection("events");
        // Ids sort by time; the random suffix keeps simultaneous events apart.
        var ref = events.document(String.format("%016d-%s", atMillis, java.util.UUID.randomUUID()));
        mutate(p, ref, idem, Boolean.class, tx -> {
            tx.create(ref, Map.of("at_ms", atMillis, "event", json));
            return true;
        });
    }

    @Override
    public List<Event> range(Partition p, String key, long fromMillis, long toMillis, int limit) {
        Query q = item(p, key).collection("events")
                .orderBy(FieldPath.documentId())
                .startAt(String.format("%016d", fromMillis)).endBefore(String.format("%016d", toMillis)).limit(limit);
        var out = new ArrayList<Event>();
        for (DocumentSnapshot d : read(left -> q.get().get(left, TimeUnit.MILLISECONDS)).getDocuments()) {
            out.add(new Event(d.getLong("at_ms"), d.getString("event")));
        }
        return out;
    }

    /** A snapshot listener on the key's events: its first snapshot is the backlog, later ones the new events. */
    @Override
    public AutoCloseable subscribe(Partition p, String key, long fromMillis, java.util.function.Consumer<Event> onEvent) {
        Query q = item(p, key).collection("events")
                .orderBy(FieldPath.documentId()).startAt(String.format("%016d", fromMillis));
        var registration = q.addSnapshotListener((snap, error) -> {
            if (error != null || snap == null) {
                return;
            }
            for (var change : snap.getDocumentChanges()) {
                if (change.getType() == com.google.cloud.firestore.DocumentChange.Type.ADDED) {
                    var d = change.getDocument();
                    onEvent.accept(new Event(d.getLong("at_ms"), d.getString("event")));
                }
            }
        });
        return registration::remove;
    }

    @Override
    public Take take(Partition p, String key, long capacity, double refillPerSecond, long tokens, long nowMillis, Idempotency idem) {
        var ref = item(p, key);
        return mutate(p, ref, idem, Take.class, tx -> {
            var state = stored(tx.get(ref).get());
            double available = state.has("tokens") ? state.path("tokens").asDouble() : capacity;
            long updated = state.path("updated_ms").asLong(nowMillis);
            available = Math.min(capacity, available + Math.max(0, nowMillis - updated) / 1000.0 * refillPerSecond);
            boolean allowed = available >= tokens;
            if (allowed) {
                available -= tokens;
            }
            tx.set(ref, json(Map.of("tokens", available, "updated_ms", nowMillis)));
            return new Take(allowed, available);
        });
    }

    /**
     * Concurrent operations on one resource from this replica queue on a striped lock
     * instead of fighting inside Firestore: the emulator (and Firestore, less so) resolves
     * contention with aborts and lock waits, and 50 simultaneous debits of one budget
     * would otherwise time out. Across replicas the transaction still guarantees
     * correctness; the lock only spares the retries.
     */
    private final java.util.concurrent.locks.ReentrantLock[] stripes = stripes(64);

    private static java.util.concurrent.locks.ReentrantLock[] stripes(int n) {
        var out = new java.util.concurrent.locks.ReentrantLock[n];
        for (int i = 0; i < n; i++) {
            out[i] = new java.util.concurrent.locks.ReentrantLock();
        }
        return out;
    }

    @FunctionalInterface
    private interface TxBody<T> {
        T apply(Transaction tx) throws Exception;
    }

    private static final int RUNNING = 0;
    private static final int COMMITTING = 1;
    private static final int ABANDONED = 2;

    /** Thrown inside an abandoned transaction so that no later retry of it commits. */
    private static final class Abandoned extends RuntimeException {
        Abandoned() {
            super("abandoned by its caller", null, false, false);
        }
    }

    /**
     * One mutation: the idempotency record read first (a replay answers the recorded
     * outcome), the body, the record written with the body's result, all in one transaction.
     */
    private <T> T mutate(Partition p, DocumentReference ref, Idempotency idem, Class<T> type, TxBody<T> body) {
        DocumentReference idemRef = idem == null ? null : envDoc(p).collection("idempotency").document(idem.id());
        var state = new AtomicInteger(RUNNING);
        com.google.cloud.firestore.Transaction.Function<T> tx = t -> {
            if (idemRef != null) {
                DocumentSnapshot prior = t.get(idemRef).get();
                if (prior.exists() && prior.getLong("expires_at_ms") != null && prior.getLong("expires_at_ms") > System.currentTimeMillis()) {
                    if (!idem.digest().equals(prior.getString("digest"))) {
                        throw new StoreException.IdempotencyConflict("the idempotency key was used for a different request");
                    }
                    return MAPPER.readValue(prior.getString("result"), type);
                }
            }
            T result = body.apply(t);
            if (idemRef != null) {
                t.set(idemRef, Map.of("digest", idem.digest(), "result", MAPPER.writeValueAsString(result),
                        "expires_at_ms", System.currentTimeMillis() + idem.ttlMillis()));
            }
            if (!state.compareAndSet(RUNNING, COMMITTING) && state.get() != COMMITTING) {
                throw new Abandoned();
            }
            return result;
        };
        var lock = stripes[Math.floorMod(ref.getPath().hashCode(), stripes.length)];
        long budget = timeout.get().toMillis();
        long start = System.nanoTime();
        // Waiting for the stripe counts against the bound too: under contention it is most of the wait.
        try {
            if (!lock.tryLock(budget, TimeUnit.MILLISECONDS)) {
                throw new StoreException.BackendUnavailable(name + " (firestore): the write waited " + budget
                        + " ms (t_system.defaults.store_timeout_ms) behind other writes to the same key; nothing was written", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException.BackendUnavailable(name + ": interrupted before the commit; nothing was written", e);
        }
        try {
            long left = Math.max(1, budget - (System.nanoTime() - start) / 1_000_000);
            return db.runTransaction(tx, CONTENDED).get(left, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (state.compareAndSet(RUNNING, ABANDONED)) {
                throw new StoreException.BackendUnavailable(name + " (firestore) did not answer within " + budget
                        + " ms (t_system.defaults.store_timeout_ms); the write was abandoned before its commit was sent, nothing was written", e);
            }
            throw new StoreException.OutcomeUnknown(name + " (firestore) did not answer within " + budget
                    + " ms after the commit was sent; it may or may not have been applied (retry with the same Idempotency-Key)", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreException se) {
                throw se;
            }
            if (state.get() == COMMITTING && !FirestoreCalls.isInvalidArgument(e.getCause())) {
                throw new StoreException.OutcomeUnknown(name + " (firestore) failed after the commit was sent: "
                        + e.getCause().getMessage() + "; it may or may not have been applied", e);
            }
            throw failure(e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (state.compareAndSet(RUNNING, ABANDONED)) {
                throw new StoreException.BackendUnavailable(name + ": interrupted before the commit; nothing was written", e);
            }
            throw new StoreException.OutcomeUnknown(name + ": interrupted after the commit was sent", e);
        } finally {
            lock.unlock();
        }
    }

    /** A failure that is not an outage: the value itself was refused (size, reserved names). */
    private StoreException failure(Throwable cause, Throwable wrapper) {
        if (FirestoreCalls.isInvalidArgument(cause)) {
            return new StoreException.InvalidValue(name + " (firestore) refused the value: " + cause.getMessage(), wrapper);
        }
        return new StoreException.BackendUnavailable(name + " (firestore) failed: " + (cause == null ? wrapper : cause).getMessage(), wrapper);
    }

    /**
     * A read, again after a transient failure (3 attempts), all within {@code store_timeout_ms};
     * any failure is {@code BackendUnavailable} (a read writes nothing).
     */
    private <T> T read(FirestoreCalls.TimedCall<T> call) {
        java.time.Duration budget = timeout.get();
        try {
            return FirestoreCalls.retryingWithin(budget, 3, call);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), e);
        } catch (TimeoutException e) {
            throw new StoreException.BackendUnavailable(name + " (firestore) did not answer within " + budget.toMillis()
                    + " ms (t_system.defaults.store_timeout_ms)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException.BackendUnavailable(name + ": interrupted", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException.BackendUnavailable(name + " (firestore) failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (Exception ignored) {
            // closing a client that lost its channel is not worth failing over
        }
    }
}
