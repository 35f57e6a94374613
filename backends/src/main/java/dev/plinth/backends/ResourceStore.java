package dev.plinth.backends;

import java.util.List;
import java.util.Optional;

/**
 * Documents of routed resource kinds in one backend, partitioned by tenant, env and kind.
 *
 * <p>Contract: every method is atomic and durable when it returns (Firestore commits; Redis
 * runs with an fsynced append-only file). Failures are truthful ({@link StoreException}):
 * {@link StoreException.BackendUnavailable} means nothing was written, and only a write that
 * was sent and not answered is {@link StoreException.OutcomeUnknown}. Every mutation takes
 * an optional {@link Idempotency}: its record is written in the same transaction (Firestore)
 * or script (Redis) as the change, so a retry with the same key and request answers the
 * first outcome and applies nothing twice, and the same key with another request is
 * {@link StoreException.IdempotencyConflict}. Integers are exact within
 * ±{@link #MAX_EXACT} on every backend; a result beyond it is {@link StoreException.Overflow}
 * and writes nothing. Values are JSON text. Implementations are thread-safe and may block on
 * the network.
 */
public interface ResourceStore extends AutoCloseable {

    /**
     * The exact integer range of counters, budgets and fencing tokens: 2^53 − 1, the largest
     * integer both Firestore (64-bit) and Redis's Lua (double) hold exactly, so the same
     * operations answer the same on both.
     */
    long MAX_EXACT = 9_007_199_254_740_991L;

    /**
     * An idempotency record to keep with a mutation.
     *
     * @param id        the scoped key (caller, tenant, env and client key, hashed): a store key part
     * @param digest    the request's fingerprint: a retry must present the same one
     * @param ttlMillis how long the record answers retries
     */
    record Idempotency(String id, String digest, long ttlMillis) {}

    Optional<String> get(Partition p, String key);

    void put(Partition p, String key, String json, Idempotency idem);

    /** @return whether the key existed */
    boolean delete(Partition p, String key, Idempotency idem);

    /** Keys starting with {@code prefix}, in key order, after {@code startAfter} (exclusive), at most {@code limit}. */
    List<Item> list(Partition p, String prefix, String startAfter, int limit);

    /** One listed resource. */
    record Item(String key, String json) {}

    // --- atomic operations of the resource models; each is one transaction (Firestore) or one Lua script (Redis) ---

    /** Counter: adds {@code by} and answers the new value. The stored document is {@code {"value": n}}. */
    long increment(Partition p, String key, long by, Idempotency idem);

    /**
     * Lock: takes the lock for {@code owner} if it is free, expired or already the owner's,
     * with a fencing token that increases with every acquisition of this key (it survives
     * releases and expiry, and the model allows no delete, so it only grows for the key's
     * life). The stored document is {@code {"owner", "fencing_token", "expires_at_ms"}}.
     */
    LockState acquire(Partition p, String key, String owner, long ttlMillis, long nowMillis, Idempotency idem);

    /** Extends the lock if {@code owner} still holds it with {@code token}. */
    boolean renew(Partition p, String key, String owner, long token, long ttlMillis, long nowMillis, Idempotency idem);

    /** Releases the lock if {@code owner} holds it with {@code token}. */
    boolean release(Partition p, String key, String owner, long token, long nowMillis, Idempotency idem);

    /** The lock after an acquire: whether this caller holds it, who does, and its token. */
    record LockState(boolean acquired, String owner, long fencingToken, long expiresAtMillis) {}

    /** Budget: takes {@code amount} only if that much remains; never goes below zero. Document: {@code {"remaining": n}}. */
    Debit debit(Partition p, String key, long amount, Idempotency idem);

    /** Budget: adds {@code amount} and answers what remains. */
    long credit(Partition p, String key, long amount, Idempotency idem);

    record Debit(boolean applied, long remaining) {}

    /** Event log: appends an event (JSON) at {@code atMillis}; events are never changed. */
    void append(Partition p, String key, String json, long atMillis, Idempotency idem);

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
    Take take(Partition p, String key, long capacity, double refillPerSecond, long tokens, long nowMillis, Idempotency idem);

    record Take(boolean allowed, double remaining) {}

    /** Refuses a result outside ±{@link #MAX_EXACT}; shared so both backends word it alike. */
    static long exact(long value, String what) {
        if (value > MAX_EXACT || value < -MAX_EXACT) {
            throw new StoreException.Overflow(what + " would leave the exact integer range ±" + MAX_EXACT);
        }
        return value;
    }

    @Override
    void close();
}
