package dev.plinth.backends;

import java.util.List;
import java.util.Optional;

/**
 * Documents of routed resource kinds in one backend, partitioned by tenant, env and kind.
 *
 * <p>Contract: every method is atomic and durable when it returns (Firestore commits; Redis
 * runs with an fsynced append-only file); a failure to reach the backend throws
 * {@link StoreException.BackendUnavailable} and leaves nothing half-written. Values are
 * JSON text. Implementations are thread-safe and may block on the network.
 */
public interface ResourceStore extends AutoCloseable {

    Optional<String> get(Partition p, String key);

    void put(Partition p, String key, String json);

    /** @return whether the key existed */
    boolean delete(Partition p, String key);

    /** Keys starting with {@code prefix}, in key order, after {@code startAfter} (exclusive), at most {@code limit}. */
    List<Item> list(Partition p, String prefix, String startAfter, int limit);

    /** One listed resource. */
    record Item(String key, String json) {}

    // --- atomic operations of the resource models; each is one transaction (Firestore) or one Lua script (Redis) ---

    /** Counter: adds {@code by} and answers the new value. The stored document is {@code {"value": n}}. */
    long increment(Partition p, String key, long by);

    /**
     * Lock: takes the lock for {@code owner} if it is free, expired or already the owner's,
     * with a fencing token that increases with every acquisition of this key (it survives
     * releases). The stored document is {@code {"owner", "fencing_token", "expires_at_ms"}}.
     */
    LockState acquire(Partition p, String key, String owner, long ttlMillis, long nowMillis);

    /** Extends the lock if {@code owner} still holds it with {@code token}. */
    boolean renew(Partition p, String key, String owner, long token, long ttlMillis, long nowMillis);

    /** Releases the lock if {@code owner} holds it with {@code token}. */
    boolean release(Partition p, String key, String owner, long token, long nowMillis);

    /** The lock after an acquire: whether this caller holds it, who does, and its token. */
    record LockState(boolean acquired, String owner, long fencingToken, long expiresAtMillis) {}

    /** Budget: takes {@code amount} only if that much remains; never goes below zero. Document: {@code {"remaining": n}}. */
    Debit debit(Partition p, String key, long amount);

    /** Budget: adds {@code amount} and answers what remains. */
    long credit(Partition p, String key, long amount);

    record Debit(boolean applied, long remaining) {}

    /** Event log: appends an event (JSON) at {@code atMillis}; events are never changed. */
    void append(Partition p, String key, String json, long atMillis);

    /** Event log: events with {@code fromMillis <= at < toMillis}, oldest first, at most {@code limit}. */
    List<Event> range(Partition p, String key, long fromMillis, long toMillis, int limit);

    record Event(long atMillis, String json) {}

    /**
     * Event log, live: calls {@code onEvent} with every event at or after {@code fromMillis}
     * (those already there first, then new ones as they are appended) until the returned
     * handle is closed. Delivery is at least once: a consumer may see an event twice
     * around the switch from backlog to live.
     */
    AutoCloseable subscribe(Partition p, String key, long fromMillis, java.util.function.Consumer<Event> onEvent);

    /**
     * Rate limit: a token bucket of {@code capacity} refilled at {@code refillPerSecond};
     * takes {@code tokens} if available, decided atomically. Document: {@code {"tokens", "updated_ms"}}.
     */
    Take take(Partition p, String key, long capacity, double refillPerSecond, long tokens, long nowMillis);

    record Take(boolean allowed, double remaining) {}

    @Override
    void close();
}
