package dev.plinth.engine.api;

/**
 * The closed set of ways evaluation can fail. Callers fail closed on any of them.
 * Each carries a stable snake_case {@link #code()} for logs and problem responses.
 */
public abstract sealed class EngineException extends RuntimeException {

    private EngineException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Stable machine-readable name of the failure. */
    public abstract String code();

    /** The bundle archive is unreadable, incomplete or incoherent. */
    public static final class InvalidBundle extends EngineException {
        public InvalidBundle(String message) {
            this(message, null);
        }

        public InvalidBundle(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String code() {
            return "invalid_bundle";
        }
    }

    /** The bundle has no entrypoint of that name. */
    public static final class UnknownEntrypoint extends EngineException {
        public UnknownEntrypoint(String entrypoint) {
            super("the active bundle has no entrypoint " + entrypoint, null);
        }

        @Override
        public String code() {
            return "unknown_entrypoint";
        }
    }

    /** The wasm module trapped, aborted, or returned something that is not a result set. */
    public static final class EvaluationFailed extends EngineException {
        public EvaluationFailed(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String code() {
            return "evaluation_failed";
        }
    }

    /** The evaluation ran past its deadline and was stopped inside the wasm execution. */
    public static final class DeadlineExceeded extends EngineException {
        public DeadlineExceeded(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String code() {
            return "deadline_exceeded";
        }
    }

    /** No wasm instance became free within the deadline: the pool is saturated. */
    public static final class Busy extends EngineException {
        public Busy(String message) {
            super(message, null);
        }

        @Override
        public String code() {
            return "busy";
        }
    }
}
