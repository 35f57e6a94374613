package dev.plinth.api.http;

import dev.plinth.core.metrics.PlinthMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every request's duration by method, route (the path pattern, never the path: ids would be
 * unbounded labels) and status, and every problem answered by its {@code code}; and
 * {@code GET /metrics}, the registry in Prometheus' text format.
 */
public final class HttpMetrics implements Filter {

    /** The request-context key under which {@link ProblemHandler} leaves the problem's code. */
    static final String PROBLEM_CODE = "plinth.problem.code";
    /** What a path no route matches is counted as. */
    static final String UNMATCHED = "unmatched";

    private record Pattern(String path, PathMatcher matcher) {}

    private final MeterRegistry registry;
    private final List<Pattern> patterns = new ArrayList<>();
    /** By method and route, then status: no key is built per request. */
    private final Map<String, Map<String, Map<Integer, Timer>>> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> problems = new ConcurrentHashMap<>();

    /**
     * @param paths the protected routes' patterns: a request the context filter refuses before
     *              routing (401, 503 NOT_READY) is counted under the pattern it would have matched
     */
    public HttpMetrics(MeterRegistry registry, List<String> paths) {
        this.registry = registry;
        for (String path : paths) {
            patterns.add(new Pattern(path, PathMatchers.create(path)));
        }
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        // When sent, not when the chain returns: a refusal thrown by a later filter is answered
        // by the error handlers after this filter has returned.
        res.whenSent(() -> record(req, res, System.nanoTime() - start));
        chain.proceed();
    }

    private void record(ServerRequest req, ServerResponse res, long nanos) {
        String method = req.prologue().method().text();
        String route = route(req);
        int status = res.status().code();
        timers.computeIfAbsent(method, m -> new ConcurrentHashMap<>()).computeIfAbsent(route, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, k -> Timer.builder("plinth.http.server.request.duration")
                        .description("HTTP requests, by method, route pattern and status (a stream: until it ends)")
                        .tags("method", method, "route", route, "status", Integer.toString(status))
                        .serviceLevelObjectives(PlinthMetrics.REQUEST_BUCKETS).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        req.context().get(PROBLEM_CODE, String.class).ifPresent(code -> problems.computeIfAbsent(code + ' ' + status,
                k -> Counter.builder("plinth.http.server.problems")
                        .description("Problems answered (RFC 9457), by code and status: refusals, ROUTE_MISSING, NOT_READY, …")
                        .tags("code", code, "status", Integer.toString(status)).register(registry)).increment());
    }

    private String route(ServerRequest req) {
        var matched = req.matchingPattern();
        if (matched.isPresent()) {
            return matched.get();
        }
        // Refused by a filter before routing (401, 431, 503 NOT_READY): the pattern it would have matched.
        String path = req.path().rawPath();
        for (Pattern p : patterns) {
            if (p.matcher().match(io.helidon.common.uri.UriPath.create(path)).accepted()) {
                return p.path();
            }
        }
        return UNMATCHED;
    }

    /** {@code GET /metrics}: Prometheus' text exposition format (version 0.0.4). */
    public static io.helidon.webserver.http.Handler scrape(PrometheusMeterRegistry registry) {
        return (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(registry.scrape());
        };
    }
}
