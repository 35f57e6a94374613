package dev.plinth.api;

import com.google.cloud.firestore.Firestore;
import dev.plinth.api.auth.TokenVerifier;
import dev.plinth.api.bootstrap.BootstrapConfig;
import dev.plinth.api.context.ContextResolver;
import dev.plinth.api.http.HealthService;
import dev.plinth.api.http.Routes;
import dev.plinth.api.realtime.RealtimeService;
import dev.plinth.api.resources.ResourceService;
import dev.plinth.api.routing.Routing;
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
import io.helidon.webserver.WebServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * One running Plinth replica: Firestore client, seeded control plane mirrored into
 * snapshots, the wasm engine fed with each snapshot's global data, and the HTTP server.
 */
public final class PlinthServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PlinthServer.class.getName());

    private final Firestore db;
    private final ControlPlane controlPlane;
    private final WebServer server;

    private final GsmSecretProvider gsm;

    private final StoreRegistry stores;

    private PlinthServer(Firestore db, ControlPlane controlPlane, WebServer server, GsmSecretProvider gsm, StoreRegistry stores) {
        this.gsm = gsm;
        this.stores = stores;
        this.db = db;
        this.controlPlane = controlPlane;
        this.server = server;
    }

    /** Connects, seeds {@code t_system} when new, waits for the first snapshot, and serves. */
    public static PlinthServer start(BootstrapConfig config) throws Exception {
        Clock clock = Clock.systemUTC();
        Firestore db = ControlPlaneStore.connect(config.firestoreProject(), config.firestoreEmulatorHost());
        var seeded = Seeder.apply(db);
        LOG.info(seeded.applied()
                ? "seeded t_system (seed version " + seeded.version() + ", " + seeded.documents() + " documents)"
                : "control plane already at seed version " + seeded.version());
        ControlPlane controlPlane = new ControlPlane(db, clock).start();
        PolicyEngine engine = PolicyEngine.builtin();
        Snapshot first = controlPlane.awaitReady(config.readyTimeout());
        feed(engine, controlPlane);
        warnAboutUnsafeSettings(config, first);

        var gsm = new GsmSecretProvider(config.gsmEndpoint());
        var secrets = new ControlPlaneSecretResolver(() -> controlPlane.snapshot().orElseThrow(),
                List.of(new FileSecretProvider(config.secretsFile()), gsm), clock);
        var tokens = new TokenVerifier(secrets, clock, 100_000);
        var resolver = new ContextResolver(controlPlane::snapshot, () -> engine, tokens);
        var health = new HealthService(controlPlane, () -> engine, secrets, clock);
        var routing = new Routing(controlPlane::snapshot, () -> engine);
        var stores = new StoreRegistry(config.firestoreProject(), config.firestoreEmulatorHost(), secrets);
        controlPlane.onSnapshot(stores::retainRouted);
        var resources = new ResourceService(routing, stores, clock);
        var services = new Routes.Services(resolver, controlPlane, () -> engine,
                new AdminStore(db, controlPlane::isReachable), routing, resources, new RealtimeService(resources, () -> engine), health);
        WebServer server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .routing(r -> Routes.routing(r, services))
                .build()
                .start();
        return new PlinthServer(db, controlPlane, server, gsm, stores);
    }

    /** Reloads the engine's global data only when it actually changed (instances reload lazily). */
    private static void feed(PolicyEngine engine, ControlPlane controlPlane) {
        var last = new java.util.concurrent.atomic.AtomicReference<com.fasterxml.jackson.databind.JsonNode>();
        controlPlane.onSnapshot(s -> {
            if (!Objects.equals(last.get(), s.globalData())) {
                last.set(s.globalData());
                engine.replaceData(s.revision(), s.globalData());
            }
        });
    }

    private static void warnAboutUnsafeSettings(BootstrapConfig config, Snapshot snapshot) {
        if (config.firestoreEmulatorHost() != null) {
            LOG.warning("control plane is a Firestore EMULATOR at " + config.firestoreEmulatorHost() + " (not for production)");
        }
        snapshot.identityProviders().values().stream().filter(p -> p.dev()).forEach(p ->
                LOG.warning("DEV identity provider '" + p.id() + "' (issuer " + p.issuer()
                        + ") is enabled: anyone holding its key can mint tokens"));
    }

    /** The protected routes this server registered (for the route-matrix test and OpenAPI). */
    public static java.util.List<dev.plinth.api.http.RouteSpec> routeTable() {
        return Routes.protectedRoutes(new Routes.Services(null, null, null, null, null, null, null, null));
    }

    public int port() {
        return server.port();
    }

    public ControlPlane controlPlane() {
        return controlPlane;
    }

    @Override
    public void close() throws Exception {
        server.stop();
        stores.close();
        gsm.close();
        controlPlane.close();
        db.close();
    }
}
