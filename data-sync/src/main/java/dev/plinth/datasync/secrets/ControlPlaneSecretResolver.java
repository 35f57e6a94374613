package dev.plinth.datasync.secrets;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.plinth.datasync.model.Records.SecretMapping;
import dev.plinth.datasync.model.Snapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Resolves logical names through the control plane's {@code secrets/{name}} mapping, with a
 * cache whose timings are data ({@code tenants/t_system.defaults}):
 * {@code secret_ttl_seconds} — how long a value is served before it is read again (so a new
 * version is picked up without a restart); {@code secret_max_stale_seconds} — how long past
 * that a value keeps being served while the provider fails (reported in {@link #status()}).
 * Without those settings nothing is cached. A changed mapping is read afresh at once.
 */
public final class ControlPlaneSecretResolver implements SecretResolver {

    private static final Logger LOG = Logger.getLogger(ControlPlaneSecretResolver.class.getName());

    private record Entry(SecretMapping mapping, SecretValue value, Instant fetchedAt, String lastError) {}

    /** What health shows of one cached secret: never its value. */
    public record Status(String provider, String reference, long ageSeconds, boolean stale, String lastError) {}

    private final Supplier<Snapshot> snapshot;
    private final Map<String, SecretProvider> providers;
    private final Clock clock;
    private final Cache<String, Entry> cache = Caffeine.newBuilder().maximumSize(10_000).build();

    public ControlPlaneSecretResolver(Supplier<Snapshot> snapshot, List<SecretProvider> providers) {
        this(snapshot, providers, Clock.systemUTC());
    }

    public ControlPlaneSecretResolver(Supplier<Snapshot> snapshot, List<SecretProvider> providers, Clock clock) {
        this.snapshot = snapshot;
        this.providers = providers.stream().collect(Collectors.toUnmodifiableMap(SecretProvider::name, Function.identity()));
        this.clock = clock;
    }

    @Override
    public SecretValue resolve(String logicalName) {
        Snapshot s = snapshot.get();
        SecretMapping mapping = s.secrets().get(logicalName);
        if (mapping == null) {
            throw new SecretException(logicalName, "no mapping for secret '" + logicalName
                    + "': add the control-plane document secrets/" + logicalName);
        }
        SecretProvider provider = providers.get(mapping.provider());
        if (provider == null) {
            throw new SecretException(logicalName, "secrets/" + logicalName + " names provider '" + mapping.provider()
                    + "', which is not configured (configured: " + new java.util.TreeSet<>(providers.keySet()) + ")");
        }
        Duration ttl = s.platform().secretTtl();
        Duration maxStale = s.platform().secretMaxStale();
        Instant now = clock.instant();
        Entry cached = cache.getIfPresent(logicalName);
        boolean sameMapping = cached != null && cached.mapping().equals(mapping);
        if (sameMapping && now.isBefore(cached.fetchedAt().plus(ttl))) {
            return cached.value();
        }
        SecretValue value;
        try {
            value = provider.read(mapping.reference()).orElse(null);
        } catch (RuntimeException e) {
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (sameMapping && now.isBefore(cached.fetchedAt().plus(ttl).plus(maxStale))) {
                LOG.warning("secret '" + logicalName + "': refresh from " + mapping.provider()
                        + " failed, serving the last good value (fetched " + cached.fetchedAt() + "): " + error);
                cache.put(logicalName, new Entry(mapping, cached.value(), cached.fetchedAt(), error));
                return cached.value();
            }
            throw new SecretException(logicalName, "secret '" + logicalName + "' (secrets/" + logicalName + " → "
                    + mapping.provider() + " '" + mapping.reference() + "') could not be read: " + error);
        }
        if (value == null) {
            cache.invalidate(logicalName);
            throw new SecretException(logicalName, "secret '" + logicalName + "' is mapped by secrets/" + logicalName
                    + " to " + mapping.provider() + " reference '" + mapping.reference() + "', which holds no value");
        }
        cache.put(logicalName, new Entry(mapping, value, now, null));
        return value;
    }

    /** Cached secrets by logical name, with age and the last refresh error; values never appear. */
    public Map<String, Status> status() {
        Instant now = clock.instant();
        Snapshot s = snapshot.get();
        Duration ttl = s.platform().secretTtl();
        var out = new TreeMap<String, Status>();
        cache.asMap().forEach((name, e) -> {
            long age = Duration.between(e.fetchedAt(), now).toSeconds();
            out.put(name, new Status(e.mapping().provider(), e.mapping().reference(), age,
                    now.isAfter(e.fetchedAt().plus(ttl)), e.lastError()));
        });
        return out;
    }

}
