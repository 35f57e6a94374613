package dev.plinth.backends;

import com.google.cloud.firestore.CollectionReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.FieldPath;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import com.google.cloud.firestore.Query;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Resources as Firestore documents at
 * {@code <collection>/<tenant>/envs/<env>/kinds/<kind>/items/<key>}, holding the JSON text
 * in {@code value}. The project and database come from the backend's settings (the project
 * defaults to the control plane's).
 */
final class FirestoreResourceStore implements ResourceStore {

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Firestore db;
    private final String collection;
    private final String name;

    FirestoreResourceStore(String backendId, String projectId, String database, String collection, String emulatorHost) {
        var options = FirestoreOptions.newBuilder().setProjectId(projectId).setDatabaseId(database);
        if (emulatorHost != null) {
            options.setEmulatorHost(emulatorHost);
        }
        this.db = options.build().getService();
        this.collection = collection;
        this.name = "backend " + backendId;
    }

    private CollectionReference items(Partition p) {
        return db.collection(collection).document(p.tenantId()).collection("envs").document(p.env())
                .collection("kinds").document(p.kind()).collection("items");
    }

    @Override
    public Optional<String> get(Partition p, String key) {
        DocumentSnapshot d = call(() -> items(p).document(Partition.checkKey(key)).get().get(10, TimeUnit.SECONDS));
        return d.exists() ? Optional.ofNullable(d.getString("value")) : Optional.empty();
    }

    @Override
    public void put(Partition p, String key, String json) {
        call(() -> items(p).document(Partition.checkKey(key)).set(Map.of("value", json)).get(10, TimeUnit.SECONDS));
    }

    @Override
    public boolean delete(Partition p, String key) {
        var ref = items(p).document(Partition.checkKey(key));
        return transaction(ref, tx -> {
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
        for (DocumentSnapshot d : call(() -> query.get().get(10, TimeUnit.SECONDS)).getDocuments()) {
            out.add(new Item(d.getId(), d.getString("value")));
        }
        return out;
    }

    private long number(DocumentSnapshot d, String field) {
        if (!d.exists() || d.getString("value") == null) {
            return 0;
        }
        try {
            return MAPPER.readTree(d.getString("value")).path(field).asLong(0);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static Map<String, Object> json(Map<String, Object> fields) {
        try {
            return Map.of("value", MAPPER.writeValueAsString(fields));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long increment(Partition p, String key, long by) {
        var ref = items(p).document(Partition.checkKey(key));
        return transaction(ref, tx -> {
            long next = number(tx.get(ref).get(), "value") + by;
            tx.set(ref, json(Map.of("value", next)));
            return next;
        });
    }

    @Override
    public LockState acquire(Partition p, String key, String owner, long ttlMillis, long nowMillis) {
        var ref = items(p).document(Partition.checkKey(key));
        return transaction(ref, tx -> {
            DocumentSnapshot d = tx.get(ref).get();
            var current = stored(d);
            long token = current.path("fencing_token").asLong(0);
            String holder = current.path("owner").isTextual() ? current.path("owner").asText() : null;
            long expires = current.path("expires_at_ms").asLong(0);
            if (holder != null && expires > nowMillis && !holder.equals(owner)) {
                return new LockState(false, holder, token, expires);
            }
            long next = holder != null && holder.equals(owner) && expires > nowMillis ? token : token + 1;
            var fields = new java.util.LinkedHashMap<String, Object>();
            fields.put("owner", owner);
            fields.put("fencing_token", next);
            fields.put("expires_at_ms", nowMillis + ttlMillis);
            tx.set(ref, json(fields));
            return new LockState(true, owner, next, nowMillis + ttlMillis);
        });
    }

    @Override
    public boolean renew(Partition p, String key, String owner, long token, long ttlMillis, long nowMillis) {
        return changeLock(p, key, owner, token, nowMillis, nowMillis + ttlMillis);
    }

    @Override
    public boolean release(Partition p, String key, String owner, long token, long nowMillis) {
        return changeLock(p, key, owner, token, nowMillis, -1);
    }

    /** Renew (new expiry) or release (expiry -1: owner cleared, token kept) if still held. */
    private boolean changeLock(Partition p, String key, String owner, long token, long nowMillis, long expiresAt) {
        var ref = items(p).document(Partition.checkKey(key));
        return transaction(ref, tx -> {
            var current = stored(tx.get(ref).get());
            boolean held = owner.equals(current.path("owner").asText(null)) && current.path("fencing_token").asLong(-1) == token
                    && current.path("expires_at_ms").asLong(0) > nowMillis;
            if (!held) {
                return false;
            }
            var fields = new java.util.LinkedHashMap<String, Object>();
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
    public Debit debit(Partition p, String key, long amount) {
        var ref = items(p).document(Partition.checkKey(key));
        return transaction(ref, tx -> {
            long remaining = number(tx.get(ref).get(), "remaining");
            if (remaining < amount) {
                return new Debit(false, remaining);
            }
            tx.set(ref, json(Map.of("remaining", remaining - amount)));
            return new Debit(true, remaining - amount);
        });
    }

    @Override
    public long credit(Partition p, String key, long amount) {
        var ref = items(p).document(Partition.checkKey(key));
        return transaction(ref, tx -> {
            long remaining = number(tx.get(ref).get(), "remaining") + amount;
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
    public void append(Partition p, String key, String json, long atMillis) {
        var events = items(p).document(Partition.checkKey(key)).collection("events");
        // Ids sort by time; the random suffix keeps simultaneous events apart.
        String id = String.format("%016d-%s", atMillis, java.util.UUID.randomUUID());
        call(() -> events.document(id).create(Map.of("at_ms", atMillis, "event", json)).get(10, TimeUnit.SECONDS));
    }

    @Override
    public List<Event> range(Partition p, String key, long fromMillis, long toMillis, int limit) {
        Query q = items(p).document(Partition.checkKey(key)).collection("events")
                .orderBy(FieldPath.documentId())
                .startAt(String.format("%016d", fromMillis)).endBefore(String.format("%016d", toMillis)).limit(limit);
        var out = new ArrayList<Event>();
        for (DocumentSnapshot d : call(() -> q.get().get(10, TimeUnit.SECONDS)).getDocuments()) {
            out.add(new Event(d.getLong("at_ms"), d.getString("event")));
        }
        return out;
    }

    /** A snapshot listener on the key's events: its first snapshot is the backlog, later ones the new events. */
    @Override
    public AutoCloseable subscribe(Partition p, String key, long fromMillis, java.util.function.Consumer<Event> onEvent) {
        Query q = items(p).document(Partition.checkKey(key)).collection("events")
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
    public Take take(Partition p, String key, long capacity, double refillPerSecond, long tokens, long nowMillis) {
        var ref = items(p).document(Partition.checkKey(key));
        return transaction(ref, tx -> {
            DocumentSnapshot d = tx.get(ref).get();
            var state = stored(d);
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

    private <T> T transaction(com.google.cloud.firestore.DocumentReference ref, com.google.cloud.firestore.Transaction.Function<T> body) {
        var lock = stripes[Math.floorMod(ref.getPath().hashCode(), stripes.length)];
        lock.lock();
        try {
            return call(() -> db.runTransaction(body, CONTENDED).get(60, TimeUnit.SECONDS));
        } finally {
            lock.unlock();
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws Exception;
    }

    private <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (ExecutionException | TimeoutException e) {
            throw new StoreException.BackendUnavailable(name + " (firestore) failed: " + e.getMessage(), e);
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
