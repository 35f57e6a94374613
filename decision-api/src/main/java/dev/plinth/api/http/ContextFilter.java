package dev.plinth.api.http;

import dev.plinth.api.context.ContextResolver;
import dev.plinth.api.context.RequestContext;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * Resolves the {@link RequestContext} of every protected request (everything under
 * {@code /v1/}) before any handler runs, and registers it in the request's context.
 * A denial is thrown as a {@code ProblemException} and rendered by {@link ProblemHandler}.
 */
final class ContextFilter implements Filter {

    static final HeaderName TENANT = HeaderNames.create("X-Tenant-Id");
    static final HeaderName ENV = HeaderNames.create("X-Env");

    private final ContextResolver resolver;

    ContextFilter(ContextResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.path().path().startsWith("/v1/")) {
            var headers = req.headers();
            RequestContext context = resolver.resolve(new ContextResolver.Headers(
                    headers.first(HeaderNames.AUTHORIZATION).orElse(null),
                    headers.first(TENANT).orElse(null),
                    headers.first(ENV).orElse(null)));
            req.context().register(context);
        }
        chain.proceed();
    }

    /** The context the filter resolved; handlers under /v1/ always have one. */
    static RequestContext context(ServerRequest req) {
        return req.context().get(RequestContext.class)
                .orElseThrow(() -> new IllegalStateException("no resolved context on " + req.path().path()));
    }
}
