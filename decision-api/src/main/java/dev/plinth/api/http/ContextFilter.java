package dev.plinth.api.http;

import dev.plinth.core.context.ContextResolver;
import dev.plinth.core.context.RequestContext;
import dev.plinth.datasync.ControlPlane;
import dev.plinth.datasync.RevisionToken;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.time.Duration;

/**
 * Resolves the {@link RequestContext} of every protected request (everything under
 * {@code /v1/}) before any handler runs, and registers it in the request's context.
 * A denial is thrown as a {@code PlinthException} and rendered by {@link ProblemHandler}, which chooses its status.
 *
 * <p>{@code X-Min-Revision} is honoured first, so a client reads its own writes on any
 * replica: each {@code <collection>:<µs>} token names the listener that must have reached
 * that read time. The wait is bounded by {@code tenants/t_system.defaults.min_revision_wait_ms}
 * (data); past it the answer is 503 {@code REVISION_NOT_REACHED}.
 */
final class ContextFilter implements Filter {

    static final HeaderName TENANT = HeaderNames.create("X-Tenant-Id");
    static final HeaderName ENV = HeaderNames.create("X-Env");
    static final HeaderName SURFACE = HeaderNames.create("X-Surface-Id");
    static final HeaderName APP = HeaderNames.create("X-App-Id");
    static final HeaderName PROJECT = HeaderNames.create("X-Project-Id");
    static final HeaderName MIN_REVISION = HeaderNames.create("X-Min-Revision");
    static final HeaderName REVISION = HeaderNames.create("X-Revision");

    private final ContextResolver resolver;
    private final ControlPlane controlPlane;

    ContextFilter(ContextResolver resolver, ControlPlane controlPlane) {
        this.resolver = resolver;
        this.controlPlane = controlPlane;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.path().path().startsWith("/v1/")) {
            var headers = req.headers();
            var credentials = dev.plinth.core.auth.Credentials.ofAuthorizationHeader(
                    headers.first(HeaderNames.AUTHORIZATION).orElse(null));
            // Only a caller whose credentials verify is held for a revision; anyone else gets
            // the resolution's 401 at once.
            headers.first(MIN_REVISION).filter(t -> resolver.authenticates(credentials)).ifPresent(this::awaitRevision);
            var given = new dev.plinth.core.context.Scope(
                    headers.first(TENANT).orElse(null),
                    headers.first(ENV).orElse(null),
                    headers.first(SURFACE).orElse(null),
                    headers.first(APP).orElse(null),
                    headers.first(PROJECT).orElse(null));
            RequestContext context = resolver.resolve(credentials, given);
            req.context().register(context);
            req.context().register(new Renewal(() -> resolver.resolve(credentials, given)));
        }
        chain.proceed();
    }

    private void awaitRevision(String header) {
        Duration bound = controlPlane.snapshot().map(s -> s.platform().minRevisionWait()).orElse(Duration.ZERO);
        long deadline = System.nanoTime() + bound.toNanos();
        for (String token : header.split(",")) {
            RevisionToken t;
            try {
                t = RevisionToken.parse(token.trim());
            } catch (IllegalArgumentException e) {
                throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_CONTEXT", e.getMessage());
            }
            try {
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                if (!controlPlane.awaitReadTime(t.source(), t.micros(), left)) {
                    throw new dev.plinth.core.PlinthException.Unavailable("REVISION_NOT_REACHED", "this replica has not reached revision "
                            + token.trim() + " within " + bound.toMillis() + " ms; retry, possibly on another replica");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.plinth.core.PlinthException.Unavailable("REVISION_NOT_REACHED", "interrupted while waiting for " + token.trim());
            }
        }
    }

    /**
     * Resolves the request's context again from the same credentials and headers, against
     * the current snapshot: what a long-lived request (a stream) uses to learn that its
     * caller was suspended, removed or its token expired. Throws the denial as any resolution.
     */
    record Renewal(java.util.function.Supplier<RequestContext> resolve) {}

    static RequestContext renew(ServerRequest req) {
        return req.context().get(Renewal.class)
                .orElseThrow(() -> new IllegalStateException("no resolved context on " + req.path().path())).resolve().get();
    }

    /** The context the filter resolved; handlers under /v1/ always have one. */
    static RequestContext context(ServerRequest req) {
        return req.context().get(RequestContext.class)
                .orElseThrow(() -> new IllegalStateException("no resolved context on " + req.path().path()));
    }
}
