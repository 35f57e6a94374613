package dev.plinth.datasync.model;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The platform settings that are data ({@code tenants/t_system.defaults}), typed, in one
 * place: code asks {@link Snapshot#platform()} instead of looking fields up by name. A value
 * of the wrong type reads as unset (its documented default), as each setting did before it
 * was typed; settings with their own richer readers (resource limits, network builtins, the
 * evaluation deadline, roles) are read from the global data by their owners.
 *
 * @param minRevisionWait        how long a replica holds a request for its {@code X-Min-Revision} ({@code min_revision_wait_ms}, 0)
 * @param maxTokenLifetime       the longest a token may live unless its provider says otherwise ({@code max_token_lifetime_seconds}; empty: no maximum, tokens refused)
 * @param secretTtl              how long a resolved secret is served before it is read again ({@code secret_ttl_seconds}, 0: not cached)
 * @param secretMaxStale         how long past that the last good value is served while its provider fails ({@code secret_max_stale_seconds}, 0)
 * @param requireSignedBundles   unsigned bundles are refused ({@code require_signed_bundles}, false)
 * @param bundleSigningKeySecret the logical secret name of the bundle verification key ({@code bundle_signing_key_secret})
 * @param bundleSigningAlgorithm the bundles' signature algorithm ({@code bundle_signing_algorithm}, RS256)
 * @param writeTimeout           how long a control-plane write waits for Firestore before it answers
 *                               "may or may not have been applied" ({@code write_timeout_ms}, 10 s; at least 100 ms)
 * @param maxBootStaleness       how old a replica's snapshot file may be for the replica to serve it when it starts while
 *                               Firestore is unreachable ({@code max_boot_staleness_seconds}; empty: never, it waits for Firestore)
 * @param livenessPeriod         how often a replica writes its heartbeat document to prove its listen streams alive
 *                               ({@code liveness_period_ms}, 5 s; at least 100 ms)
 * @param livenessTimeout        how long an acknowledged heartbeat may take to come back through the listen streams before
 *                               the replica is DEGRADED and re-opens them ({@code liveness_timeout_ms}, 20 s; at least twice the period)
 * @param storeTimeout           how long one operation on a Firestore-routed resource store waits, its retries of transient
 *                               failures included, before it answers 503 ({@code store_timeout_ms}, 10 s; at least 100 ms)
 */
public record PlatformDefaults(Duration minRevisionWait, Optional<Duration> maxTokenLifetime, Duration secretTtl,
                               Duration secretMaxStale, boolean requireSignedBundles, Optional<String> bundleSigningKeySecret,
                               String bundleSigningAlgorithm, Duration writeTimeout,
                               Optional<Duration> maxBootStaleness, Duration livenessPeriod, Duration livenessTimeout,
                               Duration storeTimeout) {

    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);

    public static final PlatformDefaults NONE = of(Map.of());

    public static PlatformDefaults of(Map<String, Object> defaults) {
        return new PlatformDefaults(
                Duration.ofMillis(nonNegative(defaults.get("min_revision_wait_ms"))),
                defaults.get("max_token_lifetime_seconds") instanceof Number n && n.longValue() > 0
                        ? Optional.of(Duration.ofSeconds(n.longValue())) : Optional.empty(),
                Duration.ofSeconds(nonNegative(defaults.get("secret_ttl_seconds"))),
                Duration.ofSeconds(nonNegative(defaults.get("secret_max_stale_seconds"))),
                Boolean.TRUE.equals(defaults.get("require_signed_bundles")),
                defaults.get("bundle_signing_key_secret") instanceof String s ? Optional.of(s) : Optional.empty(),
                defaults.get("bundle_signing_algorithm") instanceof String a ? a : "RS256",
                defaults.get("write_timeout_ms") instanceof Number w && w.longValue() >= 100
                        ? Duration.ofMillis(w.longValue()) : DEFAULT_WRITE_TIMEOUT,
                defaults.get("max_boot_staleness_seconds") instanceof Number b && b.longValue() > 0
                        ? Optional.of(Duration.ofSeconds(b.longValue())) : Optional.empty(),
                livenessPeriod(defaults), livenessTimeout(defaults),
                defaults.get("store_timeout_ms") instanceof Number st && st.longValue() >= 100
                        ? Duration.ofMillis(st.longValue()) : DEFAULT_WRITE_TIMEOUT);
    }

    private static Duration livenessPeriod(Map<String, Object> defaults) {
        return defaults.get("liveness_period_ms") instanceof Number n && n.longValue() >= 100 ? Duration.ofMillis(n.longValue())
                : Duration.ofSeconds(5);
    }

    private static Duration livenessTimeout(Map<String, Object> defaults) {
        Duration period = livenessPeriod(defaults);
        Duration timeout = defaults.get("liveness_timeout_ms") instanceof Number n && n.longValue() > 0 ? Duration.ofMillis(n.longValue())
                : Duration.ofSeconds(20);
        return timeout.compareTo(period.multipliedBy(2)) < 0 ? period.multipliedBy(2) : timeout;
    }

    private static long nonNegative(Object v) {
        return v instanceof Number n ? Math.max(0, n.longValue()) : 0;
    }
}
