package dev.plinth.core.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.plinth.datasync.ControlPlane;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.ControlPlaneSecretResolver;
import dev.plinth.datasync.secrets.SecretException;
import dev.plinth.engine.api.PolicyEngine;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Whether this replica may serve, and everything an operator needs to see why not: a
 * complete snapshot loaded, every secret the data refers to resolvable (fail fast: a
 * reference nobody can resolve makes the replica unready), Firestore reachable (when it is
 * not, the replica still serves on its last snapshot: DEGRADED, fail-static), each
 * listener's state, the evaluator's pools and the kinds that have no default route.
 * The report names what is wrong, never where secrets live (paths, references): health is
 * public.
 */
public final class Readiness {

    /** {@code UP}, {@code DEGRADED} (ready on the last snapshot, Firestore unreachable) or {@code DOWN}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(String status, boolean firestoreReachable, long stalenessMs, Long dataRevision,
                         String bundleRevision, Evaluation evaluation, Map<String, Listener> listeners,
                         List<String> unresolvedSecrets, List<String> kindsWithoutDefaultRoute,
                         Map<String, CachedSecret> secrets, Startup startup, String listenStreamsProblem) {

        /** Whether the replica may take traffic (DEGRADED included). */
        public boolean ready() {
            return !"DOWN".equals(status);
        }
    }

    /** The evaluator: its deadline and both instance pools. */
    public record Evaluation(long deadlineMs, PolicyEngine.PoolStatus decisionPool, PolicyEngine.PoolStatus dataPool) {}

    /** One listen target: its state, read time, how long since its last event, its last error. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Listener(String state, long readTimeMicros, Long lastEventAgeMs, String lastError) {}

    /**
     * How the replica started: {@code firestore}, {@code snapshot_file} (serving its file during an
     * outage at start) or {@code loading}; the loaded file's age; why it is not ready, when known.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Startup(String servedFrom, Long snapshotFileAgeMs, String notReadyReason) {}

    /** A cached secret: its age and staleness (never its value or reference). */
    public record CachedSecret(long ageSeconds, boolean stale, boolean refreshFailing) {}

    private final ControlPlane controlPlane;
    private final Supplier<PolicyEngine> engine;
    private final ControlPlaneSecretResolver secrets;
    private final Clock clock;
    private final Supplier<String> bundleNotReady;
    private final java.util.function.BooleanSupplier stopping;

    /**
     * @param bundleNotReady why the active policy bundle is not serving yet, or null once it is
     * @param stopping       whether the replica is stopping (it takes no new traffic)
     */
    public Readiness(ControlPlane controlPlane, Supplier<PolicyEngine> engine, ControlPlaneSecretResolver secrets, Clock clock,
                     Supplier<String> bundleNotReady, java.util.function.BooleanSupplier stopping) {
        this.bundleNotReady = bundleNotReady;
        this.stopping = stopping;
        this.controlPlane = controlPlane;
        this.engine = engine;
        this.secrets = secrets;
        this.clock = clock;
    }

    public Report report() {
        Optional<Snapshot> snapshot = controlPlane.snapshot();
        List<String> unresolved = snapshot.map(s -> referencedSecrets(s).stream().filter(this::unresolvable).toList())
                .orElse(List.of());
        String bundleProblem = bundleNotReady.get();
        boolean stops = stopping.getAsBoolean();
        boolean ready = controlPlane.isReady() && unresolved.isEmpty() && bundleProblem == null && !stops;
        ControlPlane.Startup start = controlPlane.startup();
        // Serving the snapshot file is degraded until every listener has caught up, Firestore reachable or not.
        // So is a mirror whose listen streams are silent (a heartbeat did not come back through them).
        Optional<String> silent = controlPlane.livenessProblem();
        String status = !ready ? "DOWN" : controlPlane.isReachable() && !"snapshot_file".equals(start.servedFrom()) && silent.isEmpty()
                ? "UP" : "DEGRADED";
        String reason = stops ? "the replica is stopping: it takes no new traffic"
                : start.notReadyReason() != null ? start.notReadyReason() : controlPlane.isReady() ? bundleProblem : null;

        PolicyEngine policy = engine.get();
        var listeners = new LinkedHashMap<String, Listener>();
        controlPlane.listenerStates().forEach((source, st) -> listeners.put(source.name().toLowerCase(Locale.ROOT),
                new Listener(st.state(), st.readTimeMicros(),
                        st.lastEventAt() == null ? null : Duration.between(st.lastEventAt(), clock.instant()).toMillis(),
                        st.lastError())));
        List<String> withoutDefault = snapshot.map(s -> s.entities().resourceKinds().keySet().stream().sorted()
                .filter(kind -> s.matchingRoutes(kind, null, null, null, null).isEmpty()).toList()).orElse(List.of());
        var cached = new TreeMap<String, CachedSecret>();
        if (snapshot.isPresent()) {
            secrets.status().forEach((name, st) -> cached.put(name,
                    new CachedSecret(st.ageSeconds(), st.stale(), st.lastError() != null)));
        }
        return new Report(status, controlPlane.isReachable(), controlPlane.staleness().toMillis(),
                snapshot.map(Snapshot::revision).orElse(null), policy.bundleRevision(),
                new Evaluation(policy.deadline().toMillis(), policy.decisionPool(), policy.isolatedPool()),
                listeners, unresolved, withoutDefault, cached,
                new Startup(start.servedFrom(), start.snapshotFileAge() == null ? null : start.snapshotFileAge().toMillis(), reason),
                silent.orElse(null));
    }

    private boolean unresolvable(String name) {
        try {
            secrets.resolve(name);
            return false;
        } catch (SecretException e) {
            return true;
        }
    }

    /** Every logical secret name the control-plane data refers to. */
    static SortedSet<String> referencedSecrets(Snapshot s) {
        var names = new TreeSet<String>();
        s.identityProviders().values().forEach(p -> {
            if (p.keySecret() != null) {
                names.add(p.keySecret());
            }
        });
        return names;
    }
}
