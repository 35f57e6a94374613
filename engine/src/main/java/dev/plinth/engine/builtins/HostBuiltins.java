package dev.plinth.engine.builtins;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every builtin Plinth's engine provides to a wasm module, by family. OPA's wasm target
 * compiles most builtins into the module and leaves these to the host; the semantics are
 * those of OPA's Go implementation ({@code v1/topdown/}) at the pinned version.
 */
public final class HostBuiltins {

    private static final Map<String, Builtin> ALL;

    static {
        var all = new LinkedHashMap<String, Builtin>();
        for (List<Builtin> family : List.of(EncodingBuiltins.all(), TextBuiltins.all(), ValueBuiltins.all(), NetBuiltins.all(),
                JwtBuiltins.all(), TimeBuiltins.all(), DocumentBuiltins.all(), GraphQlBuiltins.all(), X509Builtins.all(), AwsBuiltins.all(), JsonSchemaBuiltins.all(), YamlBuiltins.all(),
                NetworkBuiltins.all(), List.of(GoFormat.builtin(), GlobsMatch.builtin(), GoTemplate.builtin()))) {
            for (Builtin b : family) {
                if (all.put(b.name(), b) != null) {
                    throw new IllegalStateException("builtin " + b.name() + " is defined twice");
                }
            }
        }
        ALL = Collections.unmodifiableMap(all);
    }

    private HostBuiltins() {}

    public static List<Builtin> all() {
        return new ArrayList<>(ALL.values());
    }

    public static Set<String> names() {
        return new TreeSet<>(ALL.keySet());
    }

    /** The impure ones: an evaluation that may call one is never answered from a cache. */
    public static Set<String> impure() {
        var out = new TreeSet<String>();
        ALL.values().stream().filter(Builtin::impure).forEach(b -> out.add(b.name()));
        return out;
    }

    public static Builtin get(String name) {
        return ALL.get(name);
    }
}
