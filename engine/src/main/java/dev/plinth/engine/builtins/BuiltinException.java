package dev.plinth.engine.builtins;

/**
 * A builtin's error, as OPA's Go builtins return one (a bad operand, an unparsable value).
 * The wasm target has no strict mode: like OPA's own evaluator without
 * {@code strict-builtin-errors}, the call is then undefined and evaluation goes on.
 */
public class BuiltinException extends RuntimeException {
    public BuiltinException(String message) {
        super(message, null, false, false);
    }

    /** An error that stops the whole evaluation (OPA's {@code topdown.Halt}), such as a refused {@code http.send}. */
    public static final class Halt extends RuntimeException {
        public Halt(String message) {
            super(message);
        }
    }
}
