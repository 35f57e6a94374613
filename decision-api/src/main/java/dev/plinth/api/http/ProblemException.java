package dev.plinth.api.http;

/**
 * A refusal of the HTTP protocol itself, whose status is the protocol's answer (405 with
 * {@code Allow}, 431 for a header block over the limit). Everything else the server refuses
 * — a malformed body, a bad parameter, a missing resource, an unreached revision — is a core
 * {@link dev.plinth.core.PlinthException} kind, whose status {@link ProblemHandler} chooses
 * in one place. Both render once, as RFC 9457 problem+json.
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
