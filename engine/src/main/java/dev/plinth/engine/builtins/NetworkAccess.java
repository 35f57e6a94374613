package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which network builtins a policy may call, and within which bounds. Off unless data turns
 * it on: the owner of the engine reads it from {@code tenants/t_system.defaults.network_builtins}
 * (see {@link #of}). An empty allow-list means the builtin is off.
 *
 * @param httpHosts        hosts (optionally host:port) {@code http.send} may call
 * @param dnsHosts         names {@code net.lookup_ip_addr} may resolve
 * @param timeout          the longest one call may take (a policy's own timeout may be shorter)
 * @param maxResponseBytes the largest response body read; a larger one is an error
 */
public record NetworkAccess(Set<String> httpHosts, Set<String> dnsHosts, Duration timeout, long maxResponseBytes) {

    public static final NetworkAccess NONE = new NetworkAccess(Set.of(), Set.of(), Duration.ofSeconds(5), 1 << 20);

    /** Where the setting lives in the control plane, for error messages. */
    public static final String SETTING = "tenants/t_system.defaults.network_builtins";

    public NetworkAccess {
        httpHosts = Set.copyOf(httpHosts);
        dnsHosts = Set.copyOf(dnsHosts);
        if (timeout.isNegative() || timeout.isZero() || maxResponseBytes <= 0) {
            throw new IllegalArgumentException(SETTING + ": timeout_ms and max_response_bytes must be positive");
        }
    }

    /**
     * Reads {@code {"http_send": {"allowed_hosts": [...]}, "net_lookup_ip_addr": {"allowed_hosts": [...]},
     * "timeout_ms": 5000, "max_response_bytes": 1048576}}; absent is {@link #NONE}.
     *
     * @throws IllegalArgumentException naming the entry that is malformed
     */
    public static NetworkAccess of(JsonNode settings) {
        if (settings == null || settings.isMissingNode() || settings.isNull()) {
            return NONE;
        }
        if (!settings.isObject()) {
            throw new IllegalArgumentException(SETTING + " must be an object");
        }
        long timeout = positive(settings, "timeout_ms", NONE.timeout.toMillis());
        long max = positive(settings, "max_response_bytes", NONE.maxResponseBytes);
        return new NetworkAccess(hosts(settings, "http_send"), hosts(settings, "net_lookup_ip_addr"), Duration.ofMillis(timeout), max);
    }

    private static long positive(JsonNode settings, String name, long fallback) {
        JsonNode v = settings.get(name);
        if (v == null) {
            return fallback;
        }
        if (!v.canConvertToExactIntegral() || v.asLong() <= 0) {
            throw new IllegalArgumentException(SETTING + "." + name + " must be a positive integer, is " + v);
        }
        return v.asLong();
    }

    private static Set<String> hosts(JsonNode settings, String builtin) {
        JsonNode b = settings.get(builtin);
        if (b == null) {
            return Set.of();
        }
        JsonNode list = b.get("allowed_hosts");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException(SETTING + "." + builtin + ".allowed_hosts must be an array of host names");
        }
        var out = new TreeSet<String>();
        for (JsonNode h : list) {
            if (!h.isTextual() || h.textValue().isBlank()) {
                throw new IllegalArgumentException(SETTING + "." + builtin + ".allowed_hosts holds a non-string or empty entry");
            }
            out.add(h.textValue().toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    /** The builtins of a module that this access leaves off, each with the setting that would turn it on. */
    public Set<String> refused(Set<String> imported) {
        var out = new TreeSet<String>();
        if (imported.contains("http.send") && httpHosts.isEmpty()) {
            out.add("http.send (" + SETTING + ".http_send.allowed_hosts)");
        }
        if (imported.contains("net.lookup_ip_addr") && dnsHosts.isEmpty()) {
            out.add("net.lookup_ip_addr (" + SETTING + ".net_lookup_ip_addr.allowed_hosts)");
        }
        return out;
    }
}
