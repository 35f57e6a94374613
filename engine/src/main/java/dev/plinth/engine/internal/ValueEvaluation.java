package dev.plinth.engine.internal;

import com.styra.opa.wasm.OpaPolicy;
import com.styra.opa.wasm.OpaWasm;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One evaluation with the result read as a Rego value ({@code opa_value_dump}) instead of
 * JSON. opa-java-wasm 1.0.4 serializes results with {@code opa_json_dump}, which writes a
 * set's elements in the module's hash order, where OPA's Go evaluator sorts them; the value
 * form keeps sets as sets so the engine can answer them in OPA's order. The binding offers no
 * hook for this, so this class repeats its evaluate() (the eval context's data, input and
 * entrypoint, then eval) on the policy's own wasm instance, reaching its private fields;
 * the first use fails with a message naming the binding version if they ever change.
 */
public final class ValueEvaluation {

    private static final VarHandle WASM;
    private static final VarHandle DATA;
    private static final VarHandle INPUT;
    private static final VarHandle ENTRYPOINT;

    static {
        try {
            var lookup = MethodHandles.privateLookupIn(OpaPolicy.class, MethodHandles.lookup());
            WASM = lookup.findVarHandle(OpaPolicy.class, "wasm", OpaWasm.class);
            DATA = lookup.findVarHandle(OpaPolicy.class, "dataAddr", int.class);
            INPUT = lookup.findVarHandle(OpaPolicy.class, "inputAddr", int.class);
            ENTRYPOINT = lookup.findVarHandle(OpaPolicy.class, "entrypoint", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("opa-java-wasm's OpaPolicy is not the 1.0.4 this engine reads results from"
                    + " (fields wasm, dataAddr, inputAddr, entrypoint): " + e);
        }
    }

    private ValueEvaluation() {}

    /** An evaluation's input: JSON text ("" for none, as the binding reads it), or Rego value text (sets stay sets). */
    public record Input(String text, boolean regoValue) {
        public static Input json(String text) {
            return new Input(text, false);
        }

        public static Input value(String text) {
            return new Input(text, true);
        }
    }

    /** Evaluates the policy's entrypoint on this input; answers the result set as Rego value text. */
    public static String evaluate(OpaPolicy policy, int entrypoint, Input input) {
        policy.entrypoint(entrypoint);
        var wasm = (OpaWasm) WASM.get(policy);
        var exports = wasm.exports();
        int inputAddr;
        if (input.regoValue()) {
            // The binding's input() resets the heap to after the data; the value is parsed there.
            policy.input("null");
            byte[] bytes = input.text().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int at = exports.opaMalloc(bytes.length);
            wasm.memory().write(at, bytes);
            inputAddr = exports.opaValueParse(at, bytes.length);
            exports.opaFree(at);
            if (inputAddr == 0) {
                throw new IllegalArgumentException("the input is not a Rego value");
            }
        } else {
            policy.input(input.text());
            inputAddr = (int) INPUT.get(policy);
        }
        int ctx = exports.opaEvalCtxNew();
        exports.opaEvalCtxSetData(ctx, (int) DATA.get(policy));
        exports.opaEvalCtxSetInput(ctx, inputAddr);
        exports.opaEvalCtxSetEntrypoint(ctx, (int) ENTRYPOINT.get(policy));
        int code = exports.eval(ctx);
        if (code != 0) {
            throw new RuntimeException("Error evaluating the policy: opa error code " + code);
        }
        int text = exports.opaValueDump(exports.opaEvalCtxGetResult(ctx));
        String value = wasm.memory().readCString(text);
        exports.opaFree(text);
        return value;
    }
}
