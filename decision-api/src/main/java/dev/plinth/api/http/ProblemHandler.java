package dev.plinth.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.backends.StoreException;
import dev.plinth.core.PlinthException;
import dev.plinth.datasync.admin.AdminException;
import dev.plinth.datasync.model.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one place errors become responses: RFC 9457 {@code application/problem+json} with a {@code code}. */
public final class ProblemHandler {

    private static final Logger LOG = Logger.getLogger(ProblemHandler.class.getName());

    private ProblemHandler() {}

    public static void problem(ServerRequest req, ServerResponse res, ProblemException e) {
        send(req, res, e.status(), e.code(), e.getMessage());
    }

    /** The core's refusals: the one place their kinds become statuses (a policy's denial keeps the status it chose). */
    public static void core(ServerRequest req, ServerResponse res, PlinthException e) {
        send(req, res, status(e), e.code(), e.getMessage());
    }

    public static int status(PlinthException e) {
        return switch (e) {
            case PlinthException.Denied d -> d.policyStatus();
            case PlinthException.Refused r -> 403;
            case PlinthException.NotReady n -> 503;
            case PlinthException.Invalid i -> 400;
            case PlinthException.TooLarge t -> 413;
            case PlinthException.TooMany t -> 429;
            case PlinthException.Conflict c -> 409;
            case PlinthException.NotFound n -> 404;
            case PlinthException.Unavailable u -> 503;
            case PlinthException.Internal i -> 500;
        };
    }

    /** Control-plane read/write failures, each with its status. */
    public static void admin(ServerRequest req, ServerResponse res, AdminException e) {
        int status = switch (e) {
            case AdminException.NotFound n -> 404;
            case AdminException.AlreadyExists a -> 409;
            case AdminException.PreconditionFailed p -> 412;
            case AdminException.Invalid i -> 400;
            case AdminException.ReferenceMissing r -> 409;
            case AdminException.HasDependents h -> 409;
            case AdminException.Protected p -> 409;
            case AdminException.StateConflict c -> 409;
            case AdminException.IdempotencyConflict c -> 422;
            case AdminException.Unavailable u -> 503;
        };
        send(req, res, status, e.code(), e.getMessage());
    }

    /** Routed store failures: the backend did not answer (nothing written), a bad key, a broken backend record. */
    public static void store(ServerRequest req, ServerResponse res, StoreException e) {
        int status = switch (e) {
            case StoreException.InvalidKey k -> 400;
            case StoreException.InvalidValue v -> 400;
            case StoreException.Overflow o -> 400;
            case StoreException.IdempotencyConflict c -> 422;
            case StoreException.BackendUnavailable u -> 503;
            case StoreException.OutcomeUnknown u -> 504;
            case StoreException.Misconfigured m -> 503;
        };
        send(req, res, status, e.code(), e.getMessage());
    }

    /** Helidon's own refusals (no such route, bad request line…), with their status. */
    public static void http(ServerRequest req, ServerResponse res, io.helidon.http.HttpException e) {
        int status = e.status().code();
        String code = status == 404 ? "NOT_FOUND" : status == 405 ? "METHOD_NOT_ALLOWED" : status == 413 ? "PAYLOAD_TOO_LARGE"
                : status < 500 ? "MALFORMED_REQUEST" : "INTERNAL";
        send(req, res, status, code, status == 404 ? "no route " + req.prologue().method() + " " + req.path().path() : e.getMessage());
    }

    /** Anything unexpected: logged with its stack, answered without internals. */
    public static void unexpected(ServerRequest req, ServerResponse res, Throwable e) {
        LOG.log(Level.SEVERE, "unhandled error on " + req.prologue().method() + " " + req.path().path(), e);
        send(req, res, 500, "INTERNAL", "an unexpected error occurred; it has been logged");
    }

    static void send(ServerRequest req, ServerResponse res, int status, String code, String detail) {
        req.context().register(HttpMetrics.PROBLEM_CODE, code);
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
        res.send(body(status, code, detail, req.path().path()).toString());
    }

    private static ObjectNode body(int status, String code, String detail, String instance) {
        return Json.MAPPER.createObjectNode()
                .put("type", "https://plinth.dev/problems/" + code.toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .put("title", Status.create(status).reasonPhrase())
                .put("status", status)
                .put("code", code)
                .put("detail", detail)
                .put("instance", instance);
    }

    private static final class Direct implements io.helidon.http.DirectHandler {
        // Helidon passes no message to the String variant for most refusals; the throwable's
        // is read here.
        @Override
        public TransportResponse handle(TransportRequest request, EventType event, Status status,
                                        io.helidon.http.ServerResponseHeaders headers, Throwable thrown) {
            return handle(request, event, status, headers, thrown == null ? null : thrown.getMessage());
        }

        @Override
        public TransportResponse handle(TransportRequest request, EventType event, Status status,
                                        io.helidon.http.ServerResponseHeaders headers, String message) {
            int code = status.code();
            String problem = "MALFORMED_REQUEST";
            if (event == EventType.PAYLOAD_TOO_LARGE || code == 413) {
                code = 413;
                problem = "PAYLOAD_TOO_LARGE";
            } else if (code >= 500) {
                problem = "INTERNAL";
            }
            String path = request.path() == null ? "" : request.path();
            String detail = code >= 500 || message == null ? Status.create(code).reasonPhrase() : message;
            return TransportResponse.builder()
                    .status(Status.create(code))
                    .header(HeaderNames.CONTENT_TYPE, "application/problem+json")
                    .entity(body(code, problem, detail, path.length() > 200 ? path.substring(0, 200) : path).toString())
                    .keepAlive(false)
                    .build();
        }
    }

    /**
     * What the HTTP layer refuses before routing (a body over the listener's limit, a
     * malformed request line, headers beyond the parser's hard ceiling) is answered as
     * problem+json too. Headers over the configured limit are refused with 431 by
     * {@link Routes}' first filter, below that ceiling, since Helidon reports an oversized
     * header block as a plain bad request.
     */
    public static io.helidon.webserver.http.DirectHandlers directHandlers() {
        var handler = new Direct();
        var builder = io.helidon.webserver.http.DirectHandlers.builder();
        for (var event : io.helidon.http.DirectHandler.EventType.values()) {
            builder.addHandler(event, handler);
        }
        return builder.build();
    }
}
