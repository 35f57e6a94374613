package dev.plinth.api;

import dev.plinth.core.bootstrap.BootstrapConfig;
import dev.plinth.api.http.ConnectionGuard;
import dev.plinth.api.http.HealthService;
import dev.plinth.api.http.RouteSpec;
import dev.plinth.api.http.Routes;
import dev.plinth.core.library.Plinth;
import dev.plinth.datasync.ControlPlane;
import dev.plinth.api.http.ProblemHandler;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import java.util.List;

/** One running Plinth replica: the in-process {@link Plinth} and the HTTP server in front of it. */
public final class PlinthServer implements AutoCloseable {

    private final Plinth plinth;
    private final WebServer server;
    private final ConnectionGuard connections;
    private final BootstrapConfig.Shutdown shutdown;

    private PlinthServer(Plinth plinth, WebServer server, ConnectionGuard connections, BootstrapConfig.Shutdown shutdown) {
        this.plinth = plinth;
        this.server = server;
        this.connections = connections;
        this.shutdown = shutdown;
    }

    /**
     * Connects (seeding {@code t_system} when new) and serves at once — {@code /health/*}
     * answers and {@code /v1/*} is 503 {@code NOT_READY} while the control plane loads —
     * and returns when the first complete snapshot is in.
     */
    public static PlinthServer start(BootstrapConfig config) throws Exception {
        var metrics = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        Plinth plinth = Plinth.open(config.plinth(), metrics);
        var connections = new ConnectionGuard(config.limits().headerTimeout());
        WebServer server;
        try {
            server = serve(plinth, config, connections, metrics);
        } catch (RuntimeException e) {
            connections.close();
            plinth.close();
            throw e;
        }
        try {
            plinth.awaitReady(config.readyTimeout());
        } catch (Exception e) {
            server.stop();
            connections.close();
            plinth.close();
            throw e;
        }
        return new PlinthServer(plinth, server, connections, config.shutdown());
    }

    private static WebServer serve(Plinth plinth, BootstrapConfig config, ConnectionGuard connections,
                                   io.micrometer.prometheusmetrics.PrometheusMeterRegistry metrics) {
        var health = new HealthService(plinth::readiness);
        var services = new Routes.Services(plinth.resolver(), plinth.controlPlane(), plinth::engine, plinth.admin(),
                plinth.routing(), plinth.resources(), plinth.realtime(), plinth.policies(), health, connections, metrics,
                new dev.plinth.api.http.ConsoleService(plinth::devToken, plinth::devSignInEnabled));
        var limits = config.limits();
        WebServer server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .maxPayloadSize(limits.maxBodyBytes())
                .maxTcpConnections(limits.maxConnections())
                .idleConnectionTimeout(limits.idleTimeout())
                // Requests in flight when the listener closes get this long to finish.
                .shutdownGracePeriod(config.shutdown().grace())
                // Helidon's own JVM hook would stop the listener at once on SIGTERM, beside the
                // caller's hook that drains first (close()): found by the replicas test, where a
                // stopped replica dropped a request HAProxy was still sending it.
                .shutdownHook(false)
                .idleConnectionPeriod(limits.idleTimeout().dividedBy(4))
                // The parser's hard ceiling; the configured limit is answered 431 by the first filter.
                .addProtocol(Http1Config.builder().maxHeadersSize(limits.maxHeaderBytes() * 4).addReceiveListener(connections).build())
                .directHandlers(ProblemHandler.directHandlers())
                .routing(r -> Routes.routing(r, services, limits))
                .build()
                .start();
        // Helidon logs a listener that cannot bind and carries on without it (port -1).
        if (!server.isRunning() || server.port() < 0) {
            server.stop();
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port()
                    + " (in use by another process?); choose another with --port or PLINTH_PORT");
        }
        return server;
    }

    /** The protected routes this server registers (for the route-matrix test and OpenAPI). */
    public static List<RouteSpec> routeTable() {
        return Routes.protectedRoutes(new Routes.Services(null, null, null, null, null, null, null, null, null, null, null, null));
    }

    public int port() {
        return server.port();
    }

    /** The in-process core behind the routes (benchmarks read its engine's decision sample). */
    public Plinth core() {
        return plinth;
    }

    public ControlPlane controlPlane() {
        return plinth.controlPlane();
    }

    /**
     * Stops gracefully: readiness turns {@code DOWN} at once while the replica keeps serving for
     * the drain period (a load balancer's health check takes it out of rotation), then the
     * listener closes and requests in flight get the grace period to finish.
     */
    @Override
    public void close() throws Exception {
        plinth.stopping();
        if (!shutdown.drain().isZero()) {
            java.util.logging.Logger.getLogger(PlinthServer.class.getName()).info("stopping: /health/ready answers 503 for "
                    + shutdown.drain().toMillis() + " ms, then the listener closes (in-flight requests get "
                    + shutdown.grace().toMillis() + " ms)");
            Thread.sleep(shutdown.drain().toMillis());
        }
        server.stop();
        connections.close();
        plinth.close();
    }
}
