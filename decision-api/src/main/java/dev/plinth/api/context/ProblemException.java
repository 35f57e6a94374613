package dev.plinth.api.context;

/**
 * A request failed in a way the caller should be told about. Rendered once, as RFC 9457
 * problem+json, by the routing's error handler.
 *
 * @see dev.plinth.api.http.ProblemHandler
 */
public final class ProblemException extends RuntimeException {
    private final int status;
    private final String code;

    public ProblemException(int status, String code, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** Stable machine-readable code, e.g. {@code FORBIDDEN}. */
    public String code() {
        return code;
    }
}
