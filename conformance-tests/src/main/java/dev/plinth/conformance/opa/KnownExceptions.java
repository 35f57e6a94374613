package dev.plinth.conformance.opa;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The cases Plinth's engine is known not to pass, each with its reason, in two forms:
 * {@code host_builtins} excuses a case only when it failed because the host lacks that
 * builtin; {@code cases} names single cases by {@link OpaCase#key()}
 * or a glob over it ({@code *} matches anything). An entry no case used is reported as
 * stale, so the file cannot outlive the failures it excuses.
 */
public final class KnownExceptions {

    public static final String RESOURCE = "opa-known-exceptions.yaml";

    /** The file's shape. */
    record File(
            @com.fasterxml.jackson.annotation.JsonProperty("host_builtins") Map<String, String> hostBuiltins,
            Map<String, String> cases) {}

    private final Map<String, String> reasons;
    private final Map<String, String> builtins;
    private final Map<String, Pattern> patterns = new LinkedHashMap<>();
    private final Set<String> used = ConcurrentHashMap.newKeySet();

    private KnownExceptions(File file) {
        this.reasons = file.cases() == null ? Map.of() : Map.copyOf(file.cases());
        this.builtins = file.hostBuiltins() == null ? Map.of() : Map.copyOf(file.hostBuiltins());
        builtins.forEach((name, reason) -> {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("known exception for host builtin '" + name + "' has no reason");
            }
        });
        for (var entry : reasons.entrySet()) {
            if (entry.getValue() == null || entry.getValue().isBlank()) {
                throw new IllegalArgumentException("known exception '" + entry.getKey() + "' has no reason");
            }
            String regex = Pattern.quote(entry.getKey()).replace("*", "\\E.*\\Q");
            patterns.put(entry.getKey(), Pattern.compile(regex));
        }
    }

    public static KnownExceptions load() {
        try (InputStream in = KnownExceptions.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            File file = new ObjectMapper(new YAMLFactory()).readValue(in, File.class);
            return new KnownExceptions(file == null ? new File(null, null) : file);
        } catch (IOException e) {
            throw new IllegalStateException(RESOURCE + " does not parse: " + e.getMessage(), e);
        }
    }

    /** The entry and reason excusing this case's failure, if any. */
    public Optional<Map.Entry<String, String>> match(OpaCase c, CaseJudge.Cause cause) {
        if (cause instanceof CaseJudge.Cause.MissingBuiltin(String name) && builtins.containsKey(name)) {
            used.add("host_builtins/" + name);
            return Optional.of(Map.entry("host_builtins/" + name, "host builtin " + name + ": " + builtins.get(name)));
        }
        String key = c.key();
        for (var entry : patterns.entrySet()) {
            if (entry.getValue().matcher(key).matches()) {
                used.add(entry.getKey());
                return Optional.of(Map.entry(entry.getKey(), reasons.get(entry.getKey())));
            }
        }
        return Optional.empty();
    }

    /** Patterns that excused nothing in this run (meaningful only after a full run). */
    public Set<String> unused() {
        var rest = new java.util.TreeSet<>(reasons.keySet());
        builtins.keySet().forEach(b -> rest.add("host_builtins/" + b));
        rest.removeAll(used);
        return rest;
    }
}
