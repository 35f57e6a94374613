package dev.plinth.backends;

/**
 * The closed set of ways a store operation fails; {@link #code()} is stable. What each
 * says about the data is part of the contract: {@link BackendUnavailable} means nothing
 * was written, {@link OutcomeUnknown} means the request was sent and may or may not have
 * been applied (retry with the same idempotency key), every other one means nothing was
 * written because the input was refused.
 */
public abstract sealed class StoreException extends RuntimeException {

    private StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public abstract String code();

    /** The backend could not be reached and nothing was sent, or what was sent can never apply: nothing was written. */
    public static final class BackendUnavailable extends StoreException {
        public BackendUnavailable(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String code() {
            return "BACKEND_UNAVAILABLE";
        }
    }

    /** The write was sent but no answer came in time: it may or may not have been applied. */
    public static final class OutcomeUnknown extends StoreException {
        public OutcomeUnknown(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String code() {
            return "OUTCOME_UNKNOWN";
        }
    }

    public static final class InvalidKey extends StoreException {
        public InvalidKey(String message) {
            super(message, null);
        }

        @Override
        public String code() {
            return "INVALID_KEY";
        }
    }

    /** The backend refused the value itself (a permanent input error, not an outage). */
    public static final class InvalidValue extends StoreException {
        public InvalidValue(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String code() {
            return "INVALID_VALUE";
        }
    }

    /** An integer result would leave the exact range {@link ResourceStore#MAX_EXACT}; nothing was written. */
    public static final class Overflow extends StoreException {
        public Overflow(String message) {
            super(message, null);
        }

        @Override
        public String code() {
            return "INTEGER_OVERFLOW";
        }
    }

    /** An idempotency key was used again with a different request; nothing was written. */
    public static final class IdempotencyConflict extends StoreException {
        public IdempotencyConflict(String message) {
            super(message, null);
        }

        @Override
        public String code() {
            return "IDEMPOTENCY_KEY_REUSED";
        }
    }

    /** The backend record cannot be turned into a store (bad type or settings, unresolvable secret). */
    public static final class Misconfigured extends StoreException {
        public Misconfigured(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String code() {
            return "BACKEND_MISCONFIGURED";
        }
    }
}
