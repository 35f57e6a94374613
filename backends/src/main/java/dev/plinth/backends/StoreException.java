package dev.plinth.backends;

/** The closed set of ways a store operation fails; {@link #code()} is stable. */
public abstract sealed class StoreException extends RuntimeException {

    private StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public abstract String code();

    /** The backend did not answer; nothing was written. */
    public static final class BackendUnavailable extends StoreException {
        public BackendUnavailable(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String code() {
            return "BACKEND_UNAVAILABLE";
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
