package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import com.styra.opa.wasm.OpaBuiltin;
import com.styra.opa.wasm.OpaWasm;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One host builtin: its Rego name, arity, whether it is impure (its answer depends on more
 * than its arguments), and its function over Rego values. Registered with the binding
 * through its {@link OpaBuiltin.Builtin} interface, bypassing the binding's JSON adapter so
 * that sets and "undefined" keep their meaning: arguments are read with
 * {@code opa_value_dump}, answers written with {@code opa_value_parse}, and a null answer or a
 * {@link BuiltinException} is undefined (address 0), as OPA's wasm SDK makes it.
 */
public record Builtin(String name, int arity, boolean impure, Fn fn) implements OpaBuiltin.Builtin {

    private static final Logger LOG = Logger.getLogger(Builtin.class.getName());

    /** The function; answers null for undefined. */
    @FunctionalInterface
    public interface Fn {
        JsonNode apply(JsonNode[] args) throws Exception;
    }

    public static Builtin pure(String name, int arity, Fn fn) {
        return new Builtin(name, arity, false, fn);
    }

    public static Builtin impure(String name, int arity, Fn fn) {
        return new Builtin(name, arity, true, fn);
    }

    /** Calls the function outside a module (tests, benchmarks); null is undefined. */
    public JsonNode call(JsonNode... args) {
        if (args.length != arity) {
            throw new IllegalArgumentException(name + " takes " + arity + " arguments, got " + args.length);
        }
        try {
            return fn.apply(args);
        } catch (BuiltinException.Halt halt) {
            throw halt;
        } catch (BuiltinException e) {
            return null;
        } catch (Exception e) {
            LOG.log(Level.FINE, name + " failed: undefined", e);
            return null;
        } catch (StackOverflowError e) {
            // A document nested deeper than this thread's stack (a GraphQL query a thousand
            // selections deep, say) fails this call, as OPA's depth limits fail it, instead of
            // the whole evaluation. Nothing is shared mid-call: the builtins are pure functions
            // of their arguments, so unwinding their frames leaves no state behind.
            LOG.log(Level.FINE, name + " exhausted the stack: undefined");
            return null;
        }
    }

    private int invoke(OpaWasm wasm, int... addresses) {
        var args = new JsonNode[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            int text = wasm.exports().opaValueDump(addresses[i]);
            String dumped = wasm.memory().readCString(text);
            wasm.exports().opaFree(text);
            args[i] = ValueText.parse(dumped);
        }
        if (impure) {
            Evaluation.current().markImpure();
        }
        JsonNode answer = call(args);
        if (answer == null) {
            return 0;
        }
        byte[] bytes = ValueText.write(answer).getBytes(StandardCharsets.UTF_8);
        int at = wasm.exports().opaMalloc(bytes.length);
        wasm.memory().write(at, bytes);
        int value = wasm.exports().opaValueParse(at, bytes.length);
        wasm.exports().opaFree(at);
        return value;
    }

    @Override
    public int asBuiltin0(OpaWasm wasm) {
        return invoke(wasm);
    }

    @Override
    public int asBuiltin1(OpaWasm wasm, int a) {
        return invoke(wasm, a);
    }

    @Override
    public int asBuiltin2(OpaWasm wasm, int a, int b) {
        return invoke(wasm, a, b);
    }

    @Override
    public int asBuiltin3(OpaWasm wasm, int a, int b, int c) {
        return invoke(wasm, a, b, c);
    }

    @Override
    public int asBuiltin4(OpaWasm wasm, int a, int b, int c, int d) {
        return invoke(wasm, a, b, c, d);
    }
}
