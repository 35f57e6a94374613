package dev.plinth.engine.api;

/**
 * What an engine tells its embedder about each evaluation, for metrics. Called on the
 * evaluating thread after the evaluation: it must be cheap and must not throw. An
 * evaluation of an entrypoint the bundle does not have is not reported (its name is the
 * caller's, not the bundle's, and would be an unbounded label).
 */
public interface DecisionObserver {

    /** How an evaluation ended. */
    enum Outcome {
        /** Answered (a result or undefined). */
        OK,
        /** The module trapped or answered garbage. */
        ERROR,
        /** Stopped at the evaluation deadline. */
        DEADLINE,
        /** No instance became free within the deadline. */
        BUSY;

        /** The label value: the name in lower case. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Observes nothing. */
    DecisionObserver NONE = new DecisionObserver() {
        @Override
        public void evaluated(String entrypoint, long nanos, Outcome outcome) {}

        @Override
        public void cache(String entrypoint, boolean hit) {}
    };

    /** One evaluation of {@code entrypoint}, waiting for an instance included. */
    void evaluated(String entrypoint, long nanos, Outcome outcome);

    /** A look-up in the decision cache (only where the engine caches decisions). */
    void cache(String entrypoint, boolean hit);
}
