package dev.plinth.api.http;

import dev.plinth.core.context.ContextResolver;
import dev.plinth.core.realtime.RealtimeService;
import dev.plinth.core.resources.ResourceService;
import dev.plinth.core.routing.Routing;
import dev.plinth.backends.StoreException;
import dev.plinth.datasync.ControlPlane;
import dev.plinth.datasync.admin.AdminException;
import dev.plinth.datasync.admin.AdminStore;
import dev.plinth.datasync.model.Json;
import dev.plinth.engine.api.PolicyEngine;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRouting;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every HTTP route Plinth serves. Everything under {@code /v1/} is protected: the
 * {@link ContextFilter} resolves the context, then {@link RouteGuard} applies the route
 * policy. {@code /health/*} and {@code /contract/*} are public.
 */
public final class Routes {

    /** What the routes need. */
    public record Services(ContextResolver resolver, ControlPlane controlPlane, Supplier<PolicyEngine> engine,
                           AdminStore admin, Routing routing, ResourceService resources, RealtimeService realtime,
                           dev.plinth.core.policies.PolicyLifecycle policies, HealthService health,
                           ConnectionGuard connections, io.micrometer.prometheusmetrics.PrometheusMeterRegistry metrics,
                           ConsoleService console) {}

    private Routes() {}

    /** The protected routes, in registration order. The route-matrix test enumerates exactly these. */
    public static List<RouteSpec> protectedRoutes(Services s) {
        var routes = new ArrayList<RouteSpec>();
        routes.add(new RouteSpec(Method.GET, "/v1/context", null, "read", false, null,
                "The caller's resolved RequestContext", null,
                (call, res) -> JsonResponses.send(res, 200, Json.MAPPER.valueToTree(call.context()))));
        routes.add(new RouteSpec(Method.GET, "/v1/routes/{kind}", null, "read", false, null,
                "The backend that serves a resource kind for the caller's context (backend, non-secret settings, route, scope)",
                null, (call, res) -> JsonResponses.send(res, 200, Json.MAPPER.valueToTree(
                        s.routing().backendFor(call.context(), call.param("kind"))))));
        routes.addAll(new DataRoutes(s.engine(), s.controlPlane()).routes());
        routes.addAll(new ResourceRoutes(s.resources()).routes());
        routes.addAll(new RealtimeRoutes(s.realtime(), s.connections()).routes());
        routes.addAll(new AdminRoutes(s.admin()).routes());
        routes.addAll(new PolicyRoutes(s.policies()).routes());
        return routes;
    }

    /** @param limits the request bounds: JSON bodies over theirs are 413 before parsing, header blocks 431 */
    public static void routing(HttpRouting.Builder routing, Services s, dev.plinth.core.bootstrap.BootstrapConfig.Limits limits) {
        var guard = new RouteGuard(s.engine(), s.admin(), limits.maxJsonBytes());
        List<RouteSpec> routes = protectedRoutes(s);
        routing.addFilter(new HttpMetrics(s.metrics(), routes.stream().map(RouteSpec::path).distinct().toList())).addFilter((chain, req, res) -> {
            // First: every log record made while serving this request carries its id.
            res.header(dev.plinth.api.logging.RequestIds.HEADER, dev.plinth.api.logging.RequestIds.begin(
                    req.headers().first(io.helidon.http.HeaderNames.create(dev.plinth.api.logging.RequestIds.HEADER)).orElse(null)));
            try {
                chain.proceed();
            } finally {
                dev.plinth.api.logging.RequestIds.end();
            }
        }).addFilter((chain, req, res) -> {
            long bytes = 0;
            for (var header : req.headers()) {
                bytes += header.name().length() + header.values().length() + 4;
            }
            if (bytes > limits.maxHeaderBytes()) {
                throw new ProblemException(431, "HEADERS_TOO_LARGE", "the request headers are " + bytes
                        + " bytes; at most " + limits.maxHeaderBytes() + " are accepted (PLINTH_MAX_HEADER_BYTES)");
            }
            chain.proceed();
        }).addFilter(new ContextFilter(s.resolver(), s.controlPlane()))
                .error(ProblemException.class, ProblemHandler::problem)
                .error(dev.plinth.core.PlinthException.class, ProblemHandler::core)
                .error(AdminException.class, ProblemHandler::admin)
                .error(StoreException.class, ProblemHandler::store)
                .error(HttpException.class, ProblemHandler::http)
                .error(Exception.class, ProblemHandler::unexpected);
        var methods = new java.util.LinkedHashMap<String, java.util.TreeSet<String>>();
        for (RouteSpec spec : routes) {
            routing.route(spec.method(), spec.path(), guard.guard(spec));
            methods.computeIfAbsent(spec.path(), p -> new java.util.TreeSet<>()).add(spec.method().text());
        }
        // A known path with another method is 405 naming the methods it takes, not 404.
        methods.forEach((path, allowed) -> routing.any(path, (req, res) -> {
            res.header(io.helidon.http.HeaderNames.ALLOW, String.join(", ", allowed));
            throw new ProblemException(405, "METHOD_NOT_ALLOWED", req.prologue().method().text() + " is not allowed on "
                    + path + "; it takes " + String.join(", ", allowed));
        }));
        routing.get("/metrics", HttpMetrics.scrape(s.metrics()))
                .register("/console", s.console())
                .register("/health", s.health())
                .register("/contract", new ContractService(routes));
    }
}
