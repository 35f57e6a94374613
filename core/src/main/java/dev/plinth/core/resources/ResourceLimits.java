package dev.plinth.core.resources;

import dev.plinth.core.PlinthException;

import dev.plinth.backends.ResourceStore;
import dev.plinth.datasync.model.Snapshot;
import java.util.Map;

/**
 * The bounds of the resource models, from data ({@code tenants/t_system.defaults.resource_limits}),
 * so an operator changes them with a write. A missing entry is named, never defaulted.
 *
 * @param maxValueBytes         largest document value (UTF-8 bytes); larger is 413
 * @param maxAmount             largest |by| of an increment, amount of a debit or credit, capacity of a rate limit
 * @param maxLockTtlMillis      longest lock lease
 * @param idempotencyTtlSeconds how long an Idempotency-Key answers retries
 */
public record ResourceLimits(long maxValueBytes, long maxAmount, long maxLockTtlMillis, long idempotencyTtlSeconds) {

    static final String PATH = "tenants/t_system.defaults.resource_limits";

    static ResourceLimits of(Snapshot s) {
        Map<?, ?> m = section(s, "resource_limits", "docs/resources.md");
        return new ResourceLimits(positive(m, PATH, "max_value_bytes", 1_000_000), positive(m, PATH, "max_amount", ResourceStore.MAX_EXACT),
                positive(m, PATH, "max_lock_ttl_ms", Long.MAX_VALUE / 4), positive(m, PATH, "idempotency_ttl_seconds", 30L * 86_400));
    }

    /** A section of {@code tenants/t_system.defaults}, or 503 {@code CONFIG_MISSING} naming it and where it is described. */
    public static Map<?, ?> section(Snapshot s, String name, String documentedIn) {
        Object raw = s.tenant(Snapshot.SYSTEM_TENANT).map(t -> t.defaults().get(name)).orElse(null);
        if (!(raw instanceof Map<?, ?> m)) {
            throw new PlinthException.Unavailable("CONFIG_MISSING", "tenants/t_system.defaults." + name + " is not set (see " + documentedIn + ")");
        }
        return m;
    }

    /** An entry of a section: a positive integer no larger than {@code ceiling} (what its consumer can hold). */
    public static long positive(Map<?, ?> m, String path, String name, long ceiling) {
        if (!(m.get(name) instanceof Number n) || n.longValue() <= 0 || n.longValue() > ceiling || n.doubleValue() != n.longValue()) {
            throw new PlinthException.Unavailable("CONFIG_MISSING", path + "." + name + " must be a positive integer of at most "
                    + ceiling + ", is " + m.get(name));
        }
        return n.longValue();
    }
}
