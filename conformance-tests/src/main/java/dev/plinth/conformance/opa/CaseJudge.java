package dev.plinth.conformance.opa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.EngineException;
import dev.plinth.engine.api.PolicyEngine;
import dev.plinth.engine.builtins.Builtin;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Runs one OPA case through Plinth's {@link PolicyEngine} (the production class, its pool
 * and its data path) and judges the answer by the rules of OPA's own wasm end-to-end
 * harness: result sets compare as sets of bindings with numbers compared by value; an
 * expected error that depends on strict builtin errors is an empty result (wasm has no
 * strict mode); any other expected error must make evaluation fail, and a conflict must
 * say so. A case OPA's compiler rejects passes only when it expects an error.
 */
public final class CaseJudge {

    /**
     * What OPA's cases may reach: the name they resolve ("localhost"); no HTTP host (their
     * http.send cases test errors, which need none). Production starts with none at all.
     */
    static final dev.plinth.engine.builtins.NetworkAccess CASE_NETWORK = new dev.plinth.engine.builtins.NetworkAccess(
            java.util.Set.of(), java.util.Set.of("localhost"), java.time.Duration.ofSeconds(2), 1 << 20);

    /** The entrypoint OPA's planner gives a module compiled from a query. */
    static final String QUERY_ENTRYPOINT = "eval";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why a case failed, when the cause is one the known-exceptions file can name as a class. */
    public sealed interface Cause {
        /** The module calls a builtin OPA's wasm target leaves to the host, and the host lacks it. */
        record MissingBuiltin(String name) implements Cause {}

        /** Equal once every array is read as a set: a set came out in wasm's order, not OPA's sorted order. */

        /** Anything else: only a case-by-case exception can excuse it. */
        record Other() implements Cause {}
    }

    /** @param builtins the host builtins the case's module imports (for the per-builtin table) */
    public record Verdict(boolean passed, String detail, Cause cause, java.util.Set<String> builtins) {
        Verdict(boolean passed, String detail, Cause cause) {
            this(passed, detail, cause, java.util.Set.of());
        }

        Verdict with(java.util.Set<String> used) {
            return new Verdict(passed, detail, cause, used);
        }

        static Verdict pass(String detail) {
            return new Verdict(true, detail, null);
        }

        static Verdict fail(String detail) {
            return new Verdict(false, detail, new Cause.Other());
        }
    }

    private static final java.util.regex.Pattern MISSING_BUILTIN =
            java.util.regex.Pattern.compile("opa_builtin - (\\S+) doesn't implement builtin");

    private final Path folder;
    private final PolicyEngine.Execution execution;

    public CaseJudge(Path folder, PolicyEngine.Execution execution) {
        this.folder = folder;
        this.execution = execution;
    }

    public Verdict judge(OpaCase c) {
        if (c.compileError() != null) {
            return c.wantsError()
                    ? Verdict.pass("rejected by OPA's compiler, as expected")
                    : Verdict.fail("does not compile: " + firstLine(c.compileError()));
        }
        ArrayNode resultSet;
        PolicyEngine engine;
        try {
            engine = engineFor(c);
        } catch (EngineException | IOException e) {
            return judgeError(c, e);
        }
        try {
            // An input_term is given as a Rego value (a set stays a set), other input as JSON.
            JsonNode input = c.inputValue() != null ? dev.plinth.engine.builtins.ValueText.parse(c.inputValue()) : c.input();
            resultSet = engine.evaluateResultSet(QUERY_ENTRYPOINT, c.hasInput() ? Optional.of(input) : Optional.empty());
        } catch (EngineException e) {
            return judgeError(c, e).with(engine.importedBuiltins());
        }
        return judgeResult(c, resultSet).with(engine.importedBuiltins());
    }

    /**
     * The builtins OPA's own harnesses register: for the wasm assets (test/wasm/assets/test.js),
     * with the same answers (one more than the argument, "foo", and 100 answered once: a
     * second call fails, the module must memoize it), and test.sleep, which OPA's Go harness
     * gives its time cases (it waits the duration, at most a second, and answers null).
     */
    static List<Builtin> testBuiltins() {
        var called = new java.util.concurrent.atomic.AtomicBoolean();
        return List.of(
                Builtin.pure("custom_builtin_test", 1, a -> JSON.getNodeFactory().numberNode(a[0].decimalValue().add(java.math.BigDecimal.ONE))),
                Builtin.impure("custom_builtin_test_impure", 0, a -> JSON.getNodeFactory().textNode("foo")),
                Builtin.impure("test.sleep", 1, a -> {
                    long nanos = Math.min(1_000_000_000L, dev.plinth.engine.builtins.HostBuiltins.get("time.parse_duration_ns")
                            .call(a[0]).longValue());
                    java.util.concurrent.locks.LockSupport.parkNanos(nanos);
                    return JSON.getNodeFactory().nullNode();
                }),
                Builtin.pure("custom_builtin_test_memoization", 0, a -> {
                    if (called.getAndSet(true)) {
                        throw new IllegalStateException("should have been memoized");
                    }
                    return JSON.getNodeFactory().numberNode(100);
                }));
    }

    private PolicyEngine engineFor(OpaCase c) throws IOException {
        byte[] wasm = Files.readAllBytes(folder.resolve("wasm").resolve(c.wasm()));
        var bundle = new Bundle("opa-case-" + c.id(), List.of(QUERY_ENTRYPOINT), wasm, JSON.createObjectNode(), Map.of());
        var engine = new PolicyEngine(bundle, 1, 0, execution, testBuiltins());
        engine.network(CASE_NETWORK);
        if (c.data() != null && !c.data().isNull()) {
            engine.replaceData(1, c.data());
        }
        return engine;
    }

    private static Verdict judgeError(OpaCase c, Exception e) {
        String message = firstLine(String.valueOf(e.getMessage()));
        var missing = MISSING_BUILTIN.matcher(message);
        if (missing.find()) {
            // Never an "expected error": the case meant the builtin's own error, not its absence.
            return new Verdict(false, "evaluation failed: " + message, new Cause.MissingBuiltin(missing.group(1)));
        }
        if (!c.wantsError() || c.strictError()) {
            return Verdict.fail("evaluation failed: " + message);
        }
        if ("eval_conflict_error".equals(c.wantErrorCode())
                && !(message.contains("var assignment conflict") || message.contains("object insert conflict")
                        || message.contains("conflict"))) {
            return Verdict.fail("wanted a conflict error, evaluation failed otherwise: " + message);
        }
        return Verdict.pass("failed as expected: " + message);
    }

    private static Verdict judgeResult(OpaCase c, ArrayNode resultSet) {
        if (c.wantsError()) {
            if (c.strictError() && resultSet.isEmpty()) {
                return Verdict.pass("undefined, as wasm does without strict builtin errors");
            }
            return Verdict.fail("wanted error " + (c.wantErrorCode() != null ? c.wantErrorCode() : c.wantError())
                    + ", got " + abbreviate(resultSet));
        }
        if (c.wantResult() != null) {
            TreeSet<String> want = canonicalSet(c.wantResult(), c.sortBindings());
            TreeSet<String> got = canonicalSet(resultSet, c.sortBindings());
            if (want.equals(got)) {
                return Verdict.pass("result set equal");
            }
            return Verdict.fail("wanted " + abbreviate(c.wantResult()) + ", got " + abbreviate(resultSet));
        }
        if (c.wantDefined() != null) {
            boolean defined = !resultSet.isEmpty();
            return defined == c.wantDefined()
                    ? Verdict.pass(defined ? "defined" : "undefined")
                    : Verdict.fail("wanted " + (c.wantDefined() ? "defined" : "undefined") + ", got " + abbreviate(resultSet));
        }
        return Verdict.fail("the case states no expectation");
    }

    /** Bindings as a set of canonical strings: duplicates collapse, as in OPA's result-set comparison. */
    private static TreeSet<String> canonicalSet(JsonNode bindings, boolean sortBindingArrays) {
        var set = new TreeSet<String>();
        for (JsonNode binding : bindings) {
            var sb = new StringBuilder("{");
            var names = new TreeSet<String>();
            binding.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = binding.get(name);
                sb.append(quote(name)).append(':');
                if (sortBindingArrays && value.isArray()) {
                    var elements = new TreeSet<String>();
                    value.forEach(v -> elements.add(canonical(v)));
                    sb.append('[').append(String.join(",", elements)).append(']');
                } else {
                    sb.append(canonical(value));
                }
                sb.append(',');
            }
            set.add(sb.append('}').toString());
        }
        return set;
    }

    /** Sorted keys and numbers by value (1, 1.0 and 1e0 are one number in Rego). */
    static String canonical(JsonNode v) {
        if (v.isNumber()) {
            if (v.isDouble() && !Double.isFinite(v.doubleValue())) {
                return v.toString();
            }
            BigDecimal d = v.decimalValue().stripTrailingZeros();
            return d.signum() == 0 ? "0" : d.toPlainString();
        }
        if (v.isArray()) {
            var parts = new ArrayList<String>();
            v.forEach(e -> parts.add(canonical(e)));
            return "[" + String.join(",", parts) + "]";
        }
        if (v.isObject()) {
            var names = new TreeSet<String>();
            v.fieldNames().forEachRemaining(names::add);
            var parts = new ArrayList<String>();
            for (String n : names) {
                parts.add(quote(n) + ":" + canonical(v.get(n)));
            }
            return "{" + String.join(",", parts) + "}";
        }
        return v.toString();
    }

    private static String quote(String s) {
        return JSON.getNodeFactory().textNode(s).toString();
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static String firstLine(String s) {
        Iterator<String> lines = s.lines().iterator();
        String line = lines.hasNext() ? lines.next() : s;
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
