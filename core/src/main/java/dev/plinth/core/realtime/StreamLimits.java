package dev.plinth.core.realtime;

import dev.plinth.core.resources.ResourceLimits;
import dev.plinth.datasync.model.Snapshot;
import java.util.Map;

/**
 * The bounds of realtime streams, from data ({@code tenants/t_system.defaults.realtime}). A
 * missing entry is named, never defaulted.
 *
 * @param recheckMillis      how often an open stream re-resolves its caller's whole context and the thread's ACL
 * @param maxStreamMillis    the longest a stream may stay open ({@code max_ms} beyond it is 400)
 * @param maxBufferedEvents  events held for one subscriber that does not read; more ends its stream
 * @param maxStreamsPerUser  streams one user may hold open at once on a replica; more is 429
 * @param maxWriteStallMillis the longest one write to a subscriber may block (it stopped reading); then its connection is closed
 */
public record StreamLimits(long recheckMillis, long maxStreamMillis, int maxBufferedEvents, int maxStreamsPerUser,
                           long maxWriteStallMillis) {

    static final String PATH = "tenants/t_system.defaults.realtime";

    static StreamLimits of(Snapshot s) {
        Map<?, ?> m = ResourceLimits.section(s, "realtime", "docs/architecture.md, Realtime substrate");
        return new StreamLimits(positive(m, "recheck_ms"), positive(m, "max_stream_ms"), (int) positive(m, "max_buffered_events"),
                (int) positive(m, "max_streams_per_user"), positive(m, "max_write_stall_ms"));
    }

    private static long positive(Map<?, ?> m, String name) {
        return ResourceLimits.positive(m, PATH, name, Integer.MAX_VALUE);
    }
}
