package dev.plinth.core.library;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.firestore.Firestore;
import dev.plinth.core.auth.TokenVerifier;
import dev.plinth.core.context.ContextResolver;
import dev.plinth.core.bootstrap.PlinthConfig;
import dev.plinth.core.context.RequestContext;
import dev.plinth.core.context.Scope;
import dev.plinth.core.auth.Credentials;
import dev.plinth.core.health.Readiness;
import dev.plinth.core.policies.PolicyLifecycle;
import dev.plinth.core.realtime.RealtimeService;
import dev.plinth.core.resources.ResourceService;
import dev.plinth.core.routing.Routing;
import dev.plinth.backends.StoreRegistry;
import dev.plinth.datasync.ControlPlane;
import dev.plinth.datasync.ControlPlaneStore;
import dev.plinth.datasync.Seeder;
import dev.plinth.datasync.admin.AdminStore;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.ControlPlaneSecretResolver;
import dev.plinth.datasync.secrets.FileSecretProvider;
import dev.plinth.datasync.secrets.GsmSecretProvider;
import dev.plinth.engine.api.PolicyEngine;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Plinth in-process: connects to the control plane (seeding {@code t_system} when new),
 * mirrors it live, and answers the same questions the HTTP API answers — who is calling
 * ({@link #resolve}), which backend serves a kind ({@link #backendFor}), any policy
 * decision ({@link #decide}) — and reads and writes routed resources ({@link #resources}).
 *
 * <pre>{@code
 * try (Plinth plinth = Plinth.connect(PlinthConfig.fromEnvironment())) {
 *     RequestContext ctx = plinth.resolve(Credentials.bearer(jwt), Scope.of("t_acme", "prod"));
 *     Routing.Resolved flags = plinth.backendFor(ctx, "feature_flags");
 * }
 * }</pre>
 *
 * Refusals are {@link dev.plinth.core.PlinthException}s: a sealed set of kinds (denied by
 * policy, not ready, invalid, conflict, not found, unavailable, …) with the same stable
 * {@code code} the HTTP API renders; only the server turns a kind into a status.
 */
public final class Plinth implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Plinth.class.getName());
    private static final String BUILTIN_REVISION = dev.plinth.engine.api.Bundle.builtin().revision();

    private final Firestore db;
    private final ControlPlane controlPlane;
    private final java.util.concurrent.atomic.AtomicReference<PolicyEngine> engine = new java.util.concurrent.atomic.AtomicReference<>();
    private final dev.plinth.datasync.bundles.BundleStore bundles;
    private final com.google.cloud.firestore.ListenerRegistration activeBundle;
    private final GsmSecretProvider gsm;
    private final ControlPlaneSecretResolver secrets;
    private final ContextResolver resolver;
    private final Routing routing;
    private final StoreRegistry stores;
    private final ResourceService resources;
    private final RealtimeService realtime;
    private final AdminStore admin;
    private final PolicyLifecycle policies;
    private final Readiness readiness;
    private final Clock clock;
    /** The active bundle kept beside the snapshot file (null when no snapshot is kept). */
    private final dev.plinth.core.policies.PersistedBundle keptBundle;
    /** Whether the bundle {@code policy/active} names (or the kept one, during an outage at start) is the one serving. */
    private final java.util.concurrent.CountDownLatch bundleKnown = new java.util.concurrent.CountDownLatch(1);
    private volatile String bundleRefusal;
    private volatile boolean stopping;
    private final dev.plinth.core.metrics.PlinthMetrics metrics;
    private final dev.plinth.engine.api.DecisionObserver decisions;

    private Plinth(PlinthConfig config, Clock clock, io.micrometer.core.instrument.MeterRegistry registry) throws Exception {
        this.clock = clock;
        this.metrics = new dev.plinth.core.metrics.PlinthMetrics(registry);
        this.decisions = metrics.decisions();
        if (config.firestoreEmulatorHost() == null) {
            dev.plinth.core.bootstrap.ProductionFirestore.check();
        }
        this.db = ControlPlaneStore.connect(config.firestoreProject(), config.firestoreDatabase(), config.firestoreEmulatorHost());
        var persistence = config.snapshotDir() == null ? ControlPlane.Persistence.OFF
                : ControlPlane.Persistence.in(config.snapshotDir(), config.firestoreProject(), db.getOptions().getDatabaseId(),
                        config.snapshotInterval());
        seed(db, persistence);
        this.keptBundle = config.snapshotDir() == null ? null
                : new dev.plinth.core.policies.PersistedBundle(config.snapshotDir(), config.firestoreProject());
        this.controlPlane = new ControlPlane(db, clock, persistence).start();
        // The policy is compiled while the listeners load the control plane.
        serve(PolicyEngine.builtin());
        feed(engine, controlPlane);
        this.bundles = new dev.plinth.datasync.bundles.BundleStore(db);
        if (config.firestoreEmulatorHost() != null) {
            LOG.warning("control plane is a Firestore EMULATOR at " + config.firestoreEmulatorHost() + " (not for production)");
        }
        this.gsm = new GsmSecretProvider(config.gsmEndpoint());
        this.secrets = new ControlPlaneSecretResolver(() -> controlPlane.snapshot().orElseThrow(),
                List.of(new FileSecretProvider(config.secretsFile()), gsm), clock);
        this.resolver = new ContextResolver(controlPlane::snapshot, engine::get, new TokenVerifier(secrets, clock, 100_000));
        this.routing = new Routing(controlPlane::snapshot, engine::get);
        this.stores = new StoreRegistry(config.firestoreProject(), config.firestoreEmulatorHost(), secrets, () -> controlPlane.snapshot()
                .map(s -> s.platform().storeTimeout()).orElse(dev.plinth.datasync.model.PlatformDefaults.DEFAULT_WRITE_TIMEOUT),
                metrics::meter);
        controlPlane.onSnapshot(stores::retainRouted);
        this.resources = new ResourceService(routing, stores, clock);
        this.realtime = new RealtimeService(resources, engine::get, controlPlane::snapshot);
        this.admin = new AdminStore(db, controlPlane::isReachable, () -> controlPlane.snapshot()
                .map(s -> s.platform().writeTimeout()).orElse(dev.plinth.datasync.model.PlatformDefaults.DEFAULT_WRITE_TIMEOUT));
        this.policies = new PolicyLifecycle(bundles, engine::get, controlPlane::snapshot, secrets);
        this.readiness = new Readiness(controlPlane, engine::get, secrets, clock,
                () -> bundleKnown.getCount() == 0 ? null : bundleRefusal != null ? bundleRefusal
                        : "the active policy bundle is not known yet (policy/active not read"
                        + (keptBundle == null ? ")" : ", and no kept bundle to serve during an outage)"), () -> stopping);
        metrics.bindHealth(readiness::report, engine::get, clock);
        // During an outage at start the snapshot file is served: so is the bundle kept with it.
        controlPlane.onSnapshot(s -> {
            if (bundleKnown.getCount() > 0 && keptBundle != null && "snapshot_file".equals(controlPlane.startup().servedFrom())) {
                keptBundle.load().ifPresent(kept -> {
                    LOG.warning("serving the kept policy bundle " + (kept.active().name() == null ? "(built-in)" : kept.active().name())
                            + " until policy/active can be read");
                    switchTo(kept.active(), kept.bytes(), false);
                });
            }
        });
        // Followed last: switching to an uploaded bundle needs the secrets (its signing key).
        this.activeBundle = bundles.follow(a -> switchTo(a, null, true));
    }

    /**
     * Seeds {@code t_system} when new. With a snapshot file to start from, the control plane
     * has been seeded before, so the check (a newer seed version to merge) runs beside the
     * start instead of before it: a restart is not held up by it, and a replica started
     * during an outage serves its file (when the data allows it) instead of waiting here. A
     * merged seed reaches the replica through its listeners like any other change.
     */
    private static void seed(Firestore db, ControlPlane.Persistence persistence) throws Exception {
        boolean haveFile = persistence.file() != null && java.nio.file.Files.exists(persistence.file());
        if (!haveFile) {
            logSeed(Seeder.apply(db));
            return;
        }
        Thread.ofPlatform().daemon().name("plinth-seed-check").start(() -> {
            try {
                logSeed(Seeder.apply(db, SEED_WAIT_WITH_FILE));
            } catch (Exception e) {
                LOG.warning("could not check the t_system seed (" + e.getMessage() + "); started from the snapshot file "
                        + persistence.file() + ", the seed is checked again at the next start");
            }
        });
    }

    private static void logSeed(Seeder.Result seeded) {
        LOG.info(seeded.applied()
                ? "seeded t_system (seed version " + seeded.version() + ", " + seeded.documents() + " documents)"
                : "control plane already at seed version " + seeded.version());
    }

    private static final Duration SEED_WAIT_WITH_FILE = Duration.ofSeconds(60);

    /** Connects, seeds {@code t_system} when new, and waits for the first complete snapshot. */
    public static Plinth connect(PlinthConfig config) throws Exception {
        return connect(config, io.micrometer.core.instrument.Metrics.globalRegistry);
    }

    /** Like {@link #connect(PlinthConfig)}, with Plinth's meters on {@code registry}. */
    public static Plinth connect(PlinthConfig config, io.micrometer.core.instrument.MeterRegistry registry) throws Exception {
        Plinth plinth = open(config, registry);
        try {
            return plinth.awaitReady(config.readyTimeout());
        } catch (Exception e) {
            plinth.close();
            throw e;
        }
    }

    /**
     * Connects, seeds {@code t_system} when new, and starts loading the control plane
     * without waiting for it: until the first complete snapshot, decisions answer 503
     * {@code NOT_READY}. A server opens its port meanwhile, so health is observable during a
     * long cold start (see {@link #awaitReady}).
     */
    public static Plinth open(PlinthConfig config) throws Exception {
        return open(config, io.micrometer.core.instrument.Metrics.globalRegistry);
    }

    /**
     * Like {@link #open(PlinthConfig)}, with Plinth's meters on {@code registry} (decisions,
     * decision cache, routed stores, health, listeners, pools, the active bundle;
     * docs/operations.md). Without one they go to Micrometer's global registry.
     */
    public static Plinth open(PlinthConfig config, io.micrometer.core.instrument.MeterRegistry registry) throws Exception {
        return new Plinth(config, Clock.systemUTC(), registry);
    }

    /**
     * Waits for the first complete snapshot, then warns about unsafe data it shows (a dev
     * identity provider).
     *
     * @throws IllegalStateException when it is not complete within {@code timeout}, naming each listener's state
     */
    public Plinth awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Snapshot first = controlPlane.awaitReady(timeout);
        if (!bundleKnown.await(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("not ready after " + timeout.toSeconds() + " s: "
                    + (bundleRefusal != null ? bundleRefusal : "the active policy bundle (policy/active) could not be read"));
        }
        warnAboutUnsafeData(first);
        return this;
    }

    /**
     * Who is calling and where, decided by {@code plinth/authz/decision}: the caller's
     * context; throws the policy's refusal ({@link dev.plinth.core.PlinthException.Denied}) otherwise.
     */
    public RequestContext resolve(Credentials credentials, Scope scope) {
        return resolver.resolve(credentials, scope);
    }

    /** The backend that serves {@code kind} for this context, decided by {@code plinth/routing/backend}. */
    public Routing.Resolved backendFor(RequestContext context, String kind) {
        return routing.backendFor(context, kind);
    }

    /** Whether data enables a dev identity provider (the console's dev sign-in exists only then). */
    public boolean devSignInEnabled() {
        return controlPlane.snapshot().flatMap(dev.plinth.core.auth.DevTokenMinter::devProvider).isPresent();
    }

    /** A dev token for {@code userId} (see {@link #devSignInEnabled}); empty without a dev identity provider. */
    public Optional<String> devToken(String userId, Duration ttl) {
        return controlPlane.snapshot().filter(s -> dev.plinth.core.auth.DevTokenMinter.devProvider(s).isPresent())
                .map(s -> dev.plinth.core.auth.DevTokenMinter.mint(s, secrets, userId, ttl, clock.instant()));
    }

    /** Any entrypoint of the active bundle, evaluated against the current global data. */
    public Optional<JsonNode> decide(String entrypoint, JsonNode input) {
        return engine.get().evaluate(entrypoint, input);
    }

    /**
     * Follows {@code policy/active}: loads, checks (signing policy included) and swaps in the
     * named bundle (the built-in one when none is named). A bundle that fails to load or that
     * the signing policy refuses leaves the current one serving, with a log line saying why.
     */
    private void switchTo(dev.plinth.datasync.bundles.BundleStore.Active active, byte[] kept, boolean fromFirestore) {
        PolicyEngine current = engine.get();
        boolean already = active.name() == null
                ? current.bundle().revision().equals(BUILTIN_REVISION)
                : Objects.equals(active.revision(), current.bundleRevision());
        if (already) {
            if (fromFirestore && keptBundle != null && active.name() == null) {
                keptBundle.save(active, null); // named bundles were kept when they were switched to
            }
            bundleKnown.countDown();
            return;
        }
        try {
            byte[] bytes = active.name() == null ? null : kept != null ? kept : policies.bytes(active.name());
            PolicyEngine next = policies.load(active, bytes, Runtime.getRuntime().availableProcessors(), 100_000);
            controlPlane.snapshot().ifPresent(s -> {
                next.replaceData(s.generation(), s.globalData());
                applyDeadline(next, s);
            });
            next.sample().addAll(current.sample());
            serve(next);
            bundleKnown.countDown();
            if (fromFirestore && keptBundle != null) {
                keptBundle.save(active, bytes);
            }
            LOG.info("active policy bundle is now " + (active.name() == null ? "the built-in one" : active.name())
                    + " (revision " + next.bundleRevision() + ")");
        } catch (RuntimeException e) {
            if (bundleKnown.getCount() > 0) {
                // At a start "the current one" is the built-in bundle, not the one policy/active names: not ready.
                bundleRefusal = "the active policy bundle " + active.name() + " cannot be loaded: " + e.getMessage();
            }
            LOG.severe("cannot activate bundle " + active.name() + "; keeping " + current.bundleRevision() + ": " + e.getMessage());
        }
    }

    /**
     * The replica is about to stop: from now on readiness is {@code DOWN} ("stopping"), so a
     * load balancer takes it out of rotation, while everything else keeps serving until
     * {@link #close}.
     */
    public void stopping() {
        stopping = true;
    }

    /** Upload, diff, activate and roll back policy bundles, with the checks every path applies. */
    public PolicyLifecycle policies() {
        return policies;
    }

    /** Whether this replica may serve, and why not: the report {@code /health/ready} renders. */
    public Readiness.Report readiness() {
        return readiness.report();
    }

    public ResourceService resources() {
        return resources;
    }

    public RealtimeService realtime() {
        return realtime;
    }

    // --- what the HTTP server is built from ---

    public ControlPlane controlPlane() {
        return controlPlane;
    }

    /** The engine of the active bundle (it changes when another bundle is activated). */
    public PolicyEngine engine() {
        return engine.get();
    }

    public ContextResolver resolver() {
        return resolver;
    }

    public Routing routing() {
        return routing;
    }

    public AdminStore admin() {
        return admin;
    }

    public ControlPlaneSecretResolver secrets() {
        return secrets;
    }

    public Clock clock() {
        return clock;
    }

    /** Serves with {@code next}: it reports its decisions to the meters, and the bundle metric moves to it. */
    private void serve(PolicyEngine next) {
        next.observer(decisions);
        engine.set(next);
        metrics.activeBundle(next.bundleRevision());
    }

    /** Reloads the active engine's global data only when it changed (instances reload lazily). */
    private static void feed(java.util.concurrent.atomic.AtomicReference<PolicyEngine> engine, ControlPlane controlPlane) {
        var last = new java.util.concurrent.atomic.AtomicReference<JsonNode>();
        controlPlane.onSnapshot(s -> {
            if (!Objects.equals(last.get(), s.globalData())) {
                last.set(s.globalData());
                engine.get().replaceData(s.generation(), s.globalData());
                applyDeadline(engine.get(), s);
            }
        });
    }

    /** {@code tenants/t_system.defaults.evaluation_deadline_ms}: how long one evaluation may run (the engine's 1 s without it). */
    private static void applyDeadline(PolicyEngine engine, Snapshot s) {
        try {
            engine.network(PolicyLifecycle.networkAccess(s));
        } catch (IllegalArgumentException e) {
            // A malformed setting turns the network builtins off rather than keeping a stale allow-list.
            engine.network(dev.plinth.engine.builtins.NetworkAccess.NONE);
            LOG.warning(e.getMessage() + "; the network builtins are off");
        }
        JsonNode ms = s.globalData().path("plinth").path("defaults").path("evaluation_deadline_ms");
        if (ms.canConvertToLong() && ms.asLong() > 0) {
            engine.deadline(java.time.Duration.ofMillis(ms.asLong()));
        } else if (!ms.isMissingNode()) {
            LOG.warning("tenants/t_system.defaults.evaluation_deadline_ms must be a positive integer, is " + ms
                    + "; keeping " + engine.deadline().toMillis() + " ms");
        }
    }

    private static void warnAboutUnsafeData(Snapshot snapshot) {
        snapshot.identityProviders().values().stream().filter(p -> p.dev()).forEach(p ->
                LOG.warning("DEV identity provider '" + p.id() + "' (issuer " + p.issuer()
                        + ") is enabled: anyone holding its key can mint tokens"));
    }

    @Override
    public void close() throws Exception {
        metrics.close();
        activeBundle.remove();
        stores.close();
        gsm.close();
        controlPlane.close();
        db.close();
    }
}
