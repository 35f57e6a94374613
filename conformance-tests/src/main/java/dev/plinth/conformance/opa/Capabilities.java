package dev.plinth.conformance.opa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.BundleCheck;
import dev.plinth.engine.internal.ModuleBuiltins;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Generates {@code policy/capabilities.json}: the pinned OPA's own capabilities, less every
 * builtin Plinth's engine cannot run, so {@code opa build --capabilities} and
 * {@code opa check --capabilities} refuse such a policy before it is uploaded. Which builtins
 * the wasm target leaves to the host is asked of OPA's compiler itself, never kept by hand:
 * one probe module calls every builtin with {@code input} arguments, is compiled with
 * {@code opa build -t wasm}, and its {@code builtins} export lists the ones the host must
 * provide; those the engine does not provide are dropped.
 */
public final class Capabilities {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String FILE = "policy/capabilities.json";

    private Capabilities() {}

    /** The capabilities document, and the builtins dropped from it. */
    public record Generated(String json, Set<String> dropped) {}

    public static Generated generate(Path opaBin) throws Exception {
        ObjectNode caps = (ObjectNode) JSON.readTree(run(opaBin, null, "capabilities", "--current"));
        ArrayNode builtins = (ArrayNode) caps.get("builtins");
        Set<String> host = hostBuiltins(opaBin, builtins);
        var dropped = new TreeSet<>(host);
        dropped.removeAll(BundleCheck.HOST_BUILTINS);
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode b : builtins) {
            if (!dropped.contains(b.path("name").asText())) {
                kept.add(b);
            }
        }
        caps.set("builtins", kept);
        return new Generated(JSON.writeValueAsString(caps) + "\n", dropped);
    }

    /** The builtins a wasm module must import from its host, as OPA's compiler decides. */
    static Set<String> hostBuiltins(Path opaBin, ArrayNode builtins) throws Exception {
        var probe = new StringBuilder("package probe\n\n");
        int i = 0;
        for (JsonNode b : builtins) {
            String name = b.path("name").asText();
            JsonNode decl = b.path("decl");
            // Operators and the compiler's own internals are planned into the module, never imported.
            if (b.has("infix") || name.startsWith("internal.") || !decl.path("type").asText().equals("function")
                    || name.equals("print")) {
                continue;
            }
            var args = new ArrayList<String>();
            for (int a = 0; a < decl.path("args").size(); a++) {
                args.add("input.a" + a);
            }
            probe.append("r").append(i++).append(" := ").append(name).append("(").append(String.join(", ", args)).append(")\n");
        }
        Path dir = Files.createTempDirectory("plinth-capabilities");
        Files.writeString(dir.resolve("probe.rego"), probe);
        run(opaBin, dir, "build", "-t", "wasm", "--v0-compatible", "-e", "probe", "-o", "probe.tar.gz", "probe.rego");
        Bundle bundle = Bundle.read(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("probe.tar.gz"))));
        return ModuleBuiltins.imported(bundle.wasm());
    }

    private static String run(Path opaBin, Path dir, String... args) throws Exception {
        var cmd = new ArrayList<String>(List.of(opaBin.toString()));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("opa " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    /** {@code ./plinth capabilities}: rewrites the file. Arguments: the OPA CLI, the project root. */
    public static void main(String[] args) throws Exception {
        Generated g = generate(Path.of(args[0]));
        Path out = Path.of(args[1]).resolve(FILE);
        Files.writeString(out, g.json());
        System.out.println("capabilities: wrote " + out + " (" + g.dropped().size() + " builtins the engine cannot run dropped: "
                + g.dropped() + ")");
    }
}
