package dev.plinth.engine.internal;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.styra.opa.wasm.OpaWasm;
import dev.plinth.engine.api.EngineException;
import java.io.ByteArrayInputStream;
import java.util.TreeSet;

/** The host builtins a module imports: its {@code builtins} export answers a JSON object of name → id. */
public final class ModuleBuiltins {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModuleBuiltins() {}

    public static TreeSet<String> imported(byte[] wasm) {
        OpaWasm module;
        try {
            // Interpreted and with the engine's starting memory (the binding's default, 10 pages): read once, not run.
            module = OpaWasm.builder().withInputStream(new ByteArrayInputStream(wasm))
                    .withJsonMapper(JSON).withMemory(new ByteArrayMemory(new MemoryLimits(10, MemoryLimits.MAX_PAGES)))
                    .disableCompiler().build();
        } catch (RuntimeException e) {
            throw new EngineException.InvalidBundle("policy.wasm does not load: " + e.getMessage(), e);
        }
        int names = module.exports().builtins();
        int text = module.exports().opaJsonDump(names);
        var imported = new TreeSet<String>();
        try {
            JSON.readTree(module.memory().readCString(text)).fieldNames().forEachRemaining(imported::add);
        } catch (java.io.IOException e) {
            throw new EngineException.InvalidBundle("policy.wasm lists its builtins unreadably: " + e.getMessage(), e);
        }
        return imported;
    }
}
