package dev.plinth.api.logging;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The ids a log record made while serving a request carries: the request id (the caller's
 * {@code X-Request-Id} when it is a plain token, else a new one, echoed in the response) and
 * the decision id of a Data API decision. Held per request thread (Helidon serves each
 * request on its own virtual thread), set by the first filter and cleared after it.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    /** What a caller's id may be: a log field and a response header, so no spaces, quotes or control characters. */
    private static final Pattern ACCEPTED = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

    /** The current request's ids; {@code decisionId} is null until a decision is made. */
    public record Ids(String requestId, String decisionId) {}

    private static final ThreadLocal<Ids> CURRENT = new ThreadLocal<>();

    private RequestIds() {}

    /** Starts a request: the caller's id if acceptable, else a new one; answers it. */
    public static String begin(String given) {
        String id = given != null && ACCEPTED.matcher(given).matches() ? given : UUID.randomUUID().toString();
        CURRENT.set(new Ids(id, null));
        return id;
    }

    /** The decision this request made (the Data API's {@code decision_id}). */
    public static void decision(String decisionId) {
        Ids ids = CURRENT.get();
        if (ids != null) {
            CURRENT.set(new Ids(ids.requestId(), decisionId));
        }
    }

    public static Ids current() {
        return CURRENT.get();
    }

    public static void end() {
        CURRENT.remove();
    }
}
