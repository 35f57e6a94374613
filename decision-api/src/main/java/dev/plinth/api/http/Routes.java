package dev.plinth.api.http;

import dev.plinth.api.context.ContextResolver;
import dev.plinth.api.context.ProblemException;
import dev.plinth.datasync.model.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Every HTTP route Plinth serves. Everything under {@code /v1/} is protected by the
 * {@link ContextFilter}; {@code /health/*} is not.
 */
public final class Routes {

    private Routes() {}

    public static void routing(HttpRouting.Builder routing, ContextResolver resolver, HealthService health) {
        routing.addFilter(new ContextFilter(resolver))
                .error(ProblemException.class, ProblemHandler::problem)
                .error(Exception.class, ProblemHandler::unexpected)
                .get("/v1/context", Routes::context)
                .register("/health", health);
    }

    /** {@code GET /v1/context}: the resolved RequestContext of the caller. */
    static void context(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.MAPPER.valueToTree(ContextFilter.context(req)).toString());
    }
}
