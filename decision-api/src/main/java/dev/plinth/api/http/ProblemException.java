package dev.plinth.api.http;

/**
 * An HTTP-level refusal (a request line, body or header the server itself rejects), with
 * its status. Domain refusals are the core's {@link dev.plinth.core.PlinthException}s,
 * mapped to statuses in {@link ProblemHandler}. Both render once, as RFC 9457 problem+json.
 *
 * @see ProblemHandler
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
