package dev.plinth.core;

/**
 * Why Plinth refused or could not do what was asked, in the domain's words, with a stable
 * machine-readable {@link #code()} (e.g. {@code VALIDATION_FAILED}). Core code throws these;
 * how a refusal is shown (an HTTP status, a library exception) is the caller's business:
 * the server maps each kind to a status in one place.
 */
public abstract sealed class PlinthException extends RuntimeException {

    private final String code;

    private PlinthException(String code, String detail) {
        super(detail);
        this.code = code;
    }

    /** Stable machine-readable code. */
    public String code() {
        return code;
    }

    /**
     * A policy said no. Its decision carries the status it wants the caller to see (policies
     * decide authorization, and what a denial is shown as is part of that decision).
     */
    public static final class Denied extends PlinthException {
        private final int policyStatus;

        public Denied(int policyStatus, String code, String detail) {
            super(code, detail);
            this.policyStatus = policyStatus;
        }

        public int policyStatus() {
            return policyStatus;
        }
    }

    /** Not allowed for a reason other than a policy's (a kind that belongs to another service). */
    public static final class Refused extends PlinthException {
        public Refused(String code, String detail) {
            super(code, detail);
        }
    }

    /** The control plane is not loaded yet. */
    public static final class NotReady extends PlinthException {
        public NotReady(String code, String detail) {
            super(code, detail);
        }
    }

    /** The request is malformed or fails validation. */
    public static final class Invalid extends PlinthException {
        public Invalid(String code, String detail) {
            super(code, detail);
        }
    }

    /** A value is over its size bound. */
    public static final class TooLarge extends PlinthException {
        public TooLarge(String code, String detail) {
            super(code, detail);
        }
    }

    /** Over a count bound (streams per user). */
    public static final class TooMany extends PlinthException {
        public TooMany(String code, String detail) {
            super(code, detail);
        }
    }

    /** The resource's state does not allow it (a lock held by another, a budget exhausted). */
    public static final class Conflict extends PlinthException {
        public Conflict(String code, String detail) {
            super(code, detail);
        }
    }

    /** What was named does not exist. */
    public static final class NotFound extends PlinthException {
        public NotFound(String code, String detail) {
            super(code, detail);
        }
    }

    /** Something Plinth needs is missing or not answering (configuration, a secret, the evaluator). */
    public static final class Unavailable extends PlinthException {
        public Unavailable(String code, String detail) {
            super(code, detail);
        }
    }

    /** A fault of Plinth's own (an unreadable record, a policy that gave no decision). */
    public static final class Internal extends PlinthException {
        public Internal(String code, String detail) {
            super(code, detail);
        }
    }
}
