package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * http.send and net.lookup_ip_addr, off unless {@link NetworkAccess} (data) lists the host.
 * OPA's options that matter are honoured: method, url, headers, body/raw_body, timeout (never
 * beyond the data's), raise_error, enable_redirect (each hop's host checked), force_json_decode,
 * cache (the response's max-age) and force_cache with force_cache_duration_seconds. A
 * refused host answers OPA's error ("disallowed host: …"): undefined with raise_error, or
 * {@code {"status_code": 0, "error": {"code": …, "message": …}}} without. Identical requests
 * in one evaluation are sent once, as OPA's intra-query cache does. TLS client options
 * (tls_*) are accepted and not applied: the JDK's default trust store is used.
 */
final class NetworkBuiltins {

    private static final ObjectMapper JSON = new ObjectMapper().setNodeFactory(ValueText.factory());
    static final Set<String> ALLOWED = Set.of("method", "url", "body", "enable_redirect", "force_json_decode",
            "force_yaml_decode", "headers", "raw_body", "tls_use_system_certs", "tls_ca_cert", "tls_ca_cert_file", "tls_ca_cert_env_variable",
            "tls_client_cert", "tls_client_cert_file", "tls_client_cert_env_variable", "tls_client_key", "tls_client_key_file",
            "tls_client_key_env_variable", "tls_insecure_skip_verify", "tls_server_name", "timeout", "cache", "force_cache",
            "force_cache_duration_seconds", "raise_error", "caching_mode", "max_retry_attempts", "cache_ignored_headers");
    private static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Responses kept across evaluations (cache / force_cache), with the instant each expires. */
    private static final Cache<String, Cached> RESPONSES = Caffeine.newBuilder().maximumSize(1_000).build();

    private record Cached(JsonNode response, long expiresAtMillis) {}

    private NetworkBuiltins() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.impure("http.send", 1, NetworkBuiltins::send),
                Builtin.impure("net.lookup_ip_addr", 1, NetworkBuiltins::lookup));
    }

    /** A failed call, answered as OPA does (undefined, or the error object without raise_error). */
    private static final class SendError extends RuntimeException {
        final boolean network;

        SendError(String message, boolean network) {
            super(message, null, false, false);
            this.network = network;
        }
    }

    private static JsonNode send(JsonNode[] a) {
        JsonNode req = Args.object(a, 0);
        JsonNode raise = req.get("raise_error");
        if (raise != null && !raise.isBoolean()) {
            throw new BuiltinException("http.send: invalid value for \"raise_error\" field");
        }
        boolean raiseError = raise == null || raise.booleanValue();
        try {
            var invalid = new java.util.TreeSet<String>();
            req.fieldNames().forEachRemaining(k -> {
                if (!ALLOWED.contains(k)) {
                    invalid.add(k);
                }
            });
            if (!invalid.isEmpty()) {
                throw new SendError("operand 1 invalid request parameters(s): " + invalid, false);
            }
            if (!req.path("method").isTextual() || !req.path("url").isTextual()) {
                throw new SendError("operand 1 missing required request parameters(s): method and url must be strings", false);
            }
            String key = ValueText.write(req);
            return Evaluation.current().memoized("http.send", new JsonNode[] {Args.text(key)}, () -> cachedOrSent(req, key));
        } catch (SendError e) {
            return failed(e, raiseError);
        }
    }

    private static JsonNode failed(SendError e, boolean raiseError) {
        if (raiseError) {
            throw new BuiltinException("http.send: " + e.getMessage());
        }
        ObjectNode out = Args.F.objectNode();
        out.put("status_code", 0);
        out.putObject("error").put("code", e.network ? "eval_http_send_network_error" : "eval_http_send_internal_error")
                .put("message", e.getMessage());
        return out;
    }

    private static JsonNode cachedOrSent(JsonNode req, String key) {
        boolean force = req.path("force_cache").asBoolean(false);
        boolean cache = req.path("cache").asBoolean(false);
        if (force || cache) {
            Cached hit = RESPONSES.getIfPresent(key);
            if (hit != null && hit.expiresAtMillis > System.currentTimeMillis()) {
                return hit.response;
            }
        }
        ObjectNode response = sendNow(req);
        long ttlSeconds = -1;
        if (force) {
            JsonNode d = req.get("force_cache_duration_seconds");
            if (d == null || !d.canConvertToExactIntegral() || d.asLong() < 0) {
                throw new SendError("'force_cache' set but 'force_cache_duration_seconds' parameter is missing", false);
            }
            ttlSeconds = d.asLong();
        } else if (cache) {
            ttlSeconds = maxAge(response.path("headers"));
        }
        if (ttlSeconds > 0 && response.path("status_code").asInt() < 400) {
            RESPONSES.put(key, new Cached(response, System.currentTimeMillis() + ttlSeconds * 1000));
        }
        return response;
    }

    private static long maxAge(JsonNode headers) {
        for (JsonNode v : headers.path("cache-control")) {
            for (String part : v.asText().split(",")) {
                String p = part.trim().toLowerCase(Locale.ROOT);
                if (p.equals("no-store") || p.equals("no-cache")) {
                    return -1;
                }
                if (p.startsWith("max-age=")) {
                    try {
                        return Long.parseLong(p.substring(8));
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    private static ObjectNode sendNow(JsonNode req) {
        NetworkAccess access = Evaluation.current().network();
        Duration timeout = access.timeout();
        JsonNode t = req.get("timeout");
        if (t != null) {
            Duration asked;
            if (t.isNumber()) {
                asked = Duration.ofNanos(t.asLong());
            } else if (t.isTextual()) {
                try {
                    asked = Duration.ofNanos(TimeBuiltins.Durations.parse(t.textValue()));
                } catch (BuiltinException e) {
                    throw new SendError("invalid timeout: " + t.textValue(), false);
                }
            } else {
                throw new SendError("invalid timeout value", false);
            }
            if (!asked.isZero() && !asked.isNegative() && asked.compareTo(timeout) < 0) {
                timeout = asked;
            }
        }
        String method = req.get("method").textValue().toUpperCase(Locale.ROOT);
        String url = req.get("url").textValue();
        byte[] body = new byte[0];
        if (req.has("raw_body")) {
            if (!req.get("raw_body").isTextual()) {
                throw new SendError("raw_body must be a string", false);
            }
            body = req.get("raw_body").textValue().getBytes(StandardCharsets.UTF_8);
        } else if (req.has("body")) {
            body = ValueText.goJson(req.get("body")).getBytes(StandardCharsets.UTF_8);
        }
        boolean redirect = req.path("enable_redirect").asBoolean(false);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int hop = 0; hop <= 10; hop++) {
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new SendError("invalid url " + url + ": " + e.getMessage(), false);
            }
            if (uri.getHost() == null || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new SendError("unsupported url " + url, false);
            }
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            String hostPort = host + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
            if (!access.httpHosts().contains(host) && !access.httpHosts().contains(hostPort)) {
                throw new SendError("disallowed host: " + host + " (allowed: " + NetworkAccess.SETTING + ".http_send.allowed_hosts)", false);
            }
            var builder = HttpRequest.newBuilder(uri).timeout(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
                    .method(method, body.length == 0 && (method.equals("GET") || method.equals("HEAD") || method.equals("DELETE"))
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            if (req.has("body") && !req.has("raw_body")) {
                builder.header("Content-Type", "application/json");
            }
            for (Map.Entry<String, JsonNode> h : req.path("headers").properties()) {
                if (!h.getValue().isTextual()) {
                    throw new SendError("invalid type for headers value " + h.getKey(), false);
                }
                try {
                    builder.header(h.getKey(), h.getValue().textValue());
                } catch (IllegalArgumentException e) {
                    throw new SendError("header " + h.getKey() + " cannot be sent: " + e.getMessage(), false);
                }
            }
            HttpResponse<InputStream> response;
            try {
                response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (java.net.http.HttpTimeoutException e) {
                throw new SendError(method + " " + url + ": request timed out", true);
            } catch (java.io.IOException e) {
                throw new SendError(method + " " + url + ": " + e, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuiltinException.Halt("http.send: interrupted (the evaluation's deadline passed)");
            }
            int status = response.statusCode();
            if (redirect && status >= 300 && status < 400 && response.headers().firstValue("location").isPresent()) {
                url = uri.resolve(response.headers().firstValue("location").get()).toString();
                closeQuietly(response.body());
                if (status != 307 && status != 308) {
                    method = "GET";
                    body = new byte[0];
                }
                continue;
            }
            byte[] raw;
            try (InputStream in = response.body()) {
                raw = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, access.maxResponseBytes() + 1));
            } catch (java.io.IOException e) {
                throw new SendError(method + " " + url + ": " + e, true);
            }
            if (raw.length > access.maxResponseBytes()) {
                throw new SendError("response body is larger than " + access.maxResponseBytes() + " bytes ("
                        + NetworkAccess.SETTING + ".max_response_bytes)", false);
            }
            return result(response, raw, req.path("force_json_decode").asBoolean(false));
        }
        throw new SendError("stopped after 10 redirects", false);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (java.io.IOException e) {
            // the redirect's body is not read
        }
    }

    private static ObjectNode result(HttpResponse<?> response, byte[] raw, boolean forceJson) {
        ObjectNode out = Args.F.objectNode();
        int code = response.statusCode();
        out.put("status", code + " " + reason(code));
        out.put("status_code", code);
        var headers = new TreeMap<String, List<String>>();
        response.headers().map().forEach((k, v) -> {
            if (!k.startsWith(":")) {
                headers.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>()).addAll(v);
            }
        });
        String rawBody = new String(raw, StandardCharsets.UTF_8);
        JsonNode body = Args.F.nullNode();
        String type = headers.getOrDefault("content-type", List.of("")).get(0).toLowerCase(Locale.ROOT);
        if (forceJson || type.startsWith("application/json") || type.contains("+json")) {
            try {
                JsonNode parsed = JSON.readTree(rawBody);
                if (parsed != null && !parsed.isMissingNode()) {
                    body = parsed;
                }
            } catch (java.io.IOException e) {
                // OPA: an undecodable body is null, not an error
            }
        }
        out.set("body", body);
        out.put("raw_body", rawBody);
        ObjectNode h = out.putObject("headers");
        headers.forEach((k, v) -> h.set(k, Args.strings(v)));
        return out;
    }

    private static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
    }

    /** net.lookup_ip_addr: the name's addresses, if data allows resolving it. */
    private static JsonNode lookup(JsonNode[] a) throws Exception {
        String name = Args.string(a, 0);
        byte[] literal = NetBuiltins.parseIp(name);
        if (literal != null) {
            return ValueText.SetNode.of(List.of(Args.text(NetBuiltins.format(literal)))); // an address literal needs no look-up, as in Go
        }
        NetworkAccess access = Evaluation.current().network();
        if (!access.dnsHosts().contains(name.toLowerCase(Locale.ROOT))) {
            throw new BuiltinException("net.lookup_ip_addr: disallowed host: " + name + " (allowed: " + NetworkAccess.SETTING
                    + ".net_lookup_ip_addr.allowed_hosts)");
        }
        return Evaluation.current().memoized("net.lookup_ip_addr", a, () -> {
            try {
                var out = new ArrayList<JsonNode>();
                for (InetAddress addr : InetAddress.getAllByName(name)) {
                    out.add(Args.text(addr.getHostAddress()));
                }
                return ValueText.SetNode.of(out);
            } catch (java.net.UnknownHostException e) {
                throw new BuiltinException("net.lookup_ip_addr: " + e.getMessage());
            }
        });
    }
}
