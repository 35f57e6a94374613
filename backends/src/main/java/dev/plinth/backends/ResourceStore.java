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

    @Override
    void close();
}
