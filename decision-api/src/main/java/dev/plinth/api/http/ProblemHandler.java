package dev.plinth.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.api.context.ProblemException;
import dev.plinth.backends.StoreException;
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
        String code = status == 404 ? "NOT_FOUND" : status == 405 ? "METHOD_NOT_ALLOWED" : status < 500 ? "MALFORMED_REQUEST" : "INTERNAL";
        send(req, res, status, code, status == 404 ? "no route " + req.prologue().method() + " " + req.path().path() : e.getMessage());
    }

    /** Anything unexpected: logged with its stack, answered without internals. */
    public static void unexpected(ServerRequest req, ServerResponse res, Throwable e) {
        LOG.log(Level.SEVERE, "unhandled error on " + req.prologue().method() + " " + req.path().path(), e);
        send(req, res, 500, "INTERNAL", "an unexpected error occurred; it has been logged");
    }

    static void send(ServerRequest req, ServerResponse res, int status, String code, String detail) {
        ObjectNode body = Json.MAPPER.createObjectNode()
                .put("type", "https://plinth.dev/problems/" + code.toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .put("title", Status.create(status).reasonPhrase())
                .put("status", status)
                .put("code", code)
                .put("detail", detail)
                .put("instance", req.path().path());
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
        res.send(body.toString());
    }
}
