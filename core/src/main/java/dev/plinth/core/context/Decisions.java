package dev.plinth.core.context;

import dev.plinth.core.PlinthException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.engine.api.EngineException;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns a policy's answer into "go on" or a {@link PlinthException}, the same way for every
 * decision. Fails closed: an engine error, an undefined result or one without a boolean
 * {@code allow} is a 500 {@code DECISION_FAILED}, never an allow; a deny carries the
 * policy's own status, code and reason.
 */
public final class Decisions {

    private static final Logger LOG = Logger.getLogger(Decisions.class.getName());

    private Decisions() {}

    /**
     * An engine failure as a refusal: a deadline or a saturated pool is 503 (retry, nothing
     * was decided), anything else 500 {@code DECISION_FAILED}. Either way, never an allow.
     */
    public static PlinthException failed(String entrypoint, EngineException e) {
        LOG.log(Level.WARNING, entrypoint + " failed (" + e.code() + "); denying", e);
        return switch (e) {
            case EngineException.DeadlineExceeded d -> new PlinthException.Unavailable("EVALUATION_DEADLINE", d.getMessage());
            case EngineException.Busy b -> new PlinthException.Unavailable("EVALUATION_BUSY", b.getMessage());
            default -> new PlinthException.Internal("DECISION_FAILED", entrypoint + " could not be evaluated: " + e.code());
        };
    }

    /** Evaluates and returns the allowing decision, or throws the policy's denial. */
    public static JsonNode enforce(String entrypoint, Supplier<Optional<JsonNode>> evaluation) {
        JsonNode decision;
        try {
            decision = evaluation.get().orElse(null);
        } catch (EngineException e) {
            throw failed(entrypoint, e);
        }
        if (decision == null || !decision.path("allow").isBoolean()) {
            throw new PlinthException.Internal("DECISION_FAILED", entrypoint + " gave no decision");
        }
        if (!decision.path("allow").asBoolean()) {
            throw new PlinthException.Denied(decision.path("status").asInt(403), decision.path("code").asText("FORBIDDEN"),
                    decision.path("reason").asText("denied"));
        }
        return decision;
    }
}
