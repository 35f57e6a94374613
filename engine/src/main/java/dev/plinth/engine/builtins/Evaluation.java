package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What one evaluation's impure builtins share, as OPA's evaluator keeps it per query:
 * {@code time.now_ns} answers one instant for the whole evaluation, {@code rand.intn} and
 * {@code uuid.rfc4122} answer the same for the same arguments. The engine opens one around
 * each evaluation on the evaluating thread (an evaluation runs on one thread, start to end).
 */
public final class Evaluation implements AutoCloseable {

    private static final ThreadLocal<Evaluation> CURRENT = new ThreadLocal<>();
    private static final Evaluation NONE = new Evaluation(Clock.systemUTC(), NetworkAccess.NONE, null);

    private final Clock clock;
    private final NetworkAccess network;
    private final Evaluation outer;
    private Instant now;
    private final Map<List<Object>, JsonNode> memo = new HashMap<>();
    private boolean impure;

    private Evaluation(Clock clock, NetworkAccess network, Evaluation outer) {
        this.clock = clock;
        this.network = network;
        this.outer = outer;
    }

    /** Opens an evaluation on this thread; close it when the evaluation ends. */
    public static Evaluation open(Clock clock, NetworkAccess network) {
        var e = new Evaluation(clock, network, CURRENT.get());
        CURRENT.set(e);
        return e;
    }

    /** The evaluation on this thread (a builtin called outside one gets a fresh one each time). */
    public static Evaluation current() {
        Evaluation e = CURRENT.get();
        return e == null ? new Evaluation(NONE.clock, NONE.network, null) : e;
    }

    /** What the network builtins may reach in this evaluation. */
    public NetworkAccess network() {
        return network;
    }

    /** The evaluation's instant: read from the clock once, on first use. */
    public Instant now() {
        if (now == null) {
            now = clock.instant();
        }
        return now;
    }

    /** The answer for this builtin and arguments, computed once per evaluation. */
    public JsonNode memoized(String builtin, JsonNode[] args, Supplier<JsonNode> compute) {
        var key = List.<Object>of(builtin, List.of(args));
        return memo.computeIfAbsent(key, k -> compute.get());
    }

    void markImpure() {
        impure = true;
    }

    /** Whether an impure builtin was called: its answer must not be cached. */
    public boolean impure() {
        return impure;
    }

    @Override
    public void close() {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
    }
}
