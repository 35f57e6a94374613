package dev.plinth.datasync.admin;

import java.util.List;

/** The closed set of ways an admin read or write fails. {@link #code()} is stable. */
public abstract sealed class AdminException extends RuntimeException {

    private AdminException(String message) {
        super(message);
    }

    public abstract String code();

    public static final class NotFound extends AdminException {
        public NotFound(String path) {
            super(path + " does not exist");
        }

        @Override
        public String code() {
            return "NOT_FOUND";
        }
    }

    public static final class AlreadyExists extends AdminException {
        public AlreadyExists(String path) {
            super(path + " already exists");
        }

        @Override
        public String code() {
            return "ALREADY_EXISTS";
        }
    }

    /** If-Match did not match the stored version: a lost update was prevented. */
    public static final class PreconditionFailed extends AdminException {
        public PreconditionFailed(String path, String expected, String actual) {
            super(path + " is at version " + actual + ", not " + expected + "; read it again and retry");
        }

        @Override
        public String code() {
            return "PRECONDITION_FAILED";
        }
    }

    /** The body or id breaks the primitive's rules; {@link #errors()} lists each one. */
    public static final class Invalid extends AdminException {
        private final List<String> errors;

        public Invalid(List<String> errors) {
            super(String.join("; ", errors));
            this.errors = List.copyOf(errors);
        }

        public List<String> errors() {
            return errors;
        }

        @Override
        public String code() {
            return "VALIDATION_FAILED";
        }
    }

    /** A referenced primitive does not exist (or is not usable, e.g. an app that is not subscribable). */
    public static final class ReferenceMissing extends AdminException {
        public ReferenceMissing(String message) {
            super(message);
        }

        @Override
        public String code() {
            return "REFERENCE_MISSING";
        }
    }

    /** Deleting would orphan other primitives; pass cascade where it is allowed. */
    public static final class HasDependents extends AdminException {
        public HasDependents(String message) {
            super(message);
        }

        @Override
        public String code() {
            return "HAS_DEPENDENTS";
        }
    }

    /** {@code t_system} exists only through the seed: it cannot be created, deleted or suspended. */
    public static final class Protected extends AdminException {
        public Protected(String message) {
            super(message);
        }

        @Override
        public String code() {
            return "PROTECTED";
        }
    }

    /** The request is well-formed but the stored state does not allow it (e.g. a rollback with nothing to roll back to). */
    public static final class StateConflict extends AdminException {
        private final String code;

        public StateConflict(String code, String message) {
            super(message);
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    /** An Idempotency-Key was used again with a different request; nothing was written. */
    public static final class IdempotencyConflict extends AdminException {
        public IdempotencyConflict(String message) {
            super(message);
        }

        @Override
        public String code() {
            return "IDEMPOTENCY_KEY_REUSED";
        }
    }

    /** Firestore is unreachable: the write was not made (and is safe to retry). */
    public static final class Unavailable extends AdminException {
        public Unavailable(String message) {
            super(message);
        }

        @Override
        public String code() {
            return "CONTROL_PLANE_UNAVAILABLE";
        }
    }
}
