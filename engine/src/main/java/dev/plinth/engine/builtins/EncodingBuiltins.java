package dev.plinth.engine.builtins;

import static dev.plinth.engine.builtins.Args.string;
import static dev.plinth.engine.builtins.Args.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** base64url, hex, urlquery, digests and HMACs: the JDK's codecs, with Go's escaping rules where they differ. */
final class EncodingBuiltins {

    private EncodingBuiltins() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.pure("base64url.encode_no_pad", 1, a -> text(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(a, 0)))),
                Builtin.pure("hex.encode", 1, a -> text(HexFormat.of().formatHex(bytes(a, 0)))),
                Builtin.pure("hex.decode", 1, a -> text(new String(HexFormat.of().parseHex(string(a, 0)), StandardCharsets.UTF_8))),
                Builtin.pure("urlquery.encode", 1, a -> text(queryEscape(string(a, 0)))),
                Builtin.pure("urlquery.decode", 1, a -> text(queryUnescape(string(a, 0)))),
                Builtin.pure("urlquery.encode_object", 1, EncodingBuiltins::encodeObject),
                Builtin.pure("urlquery.decode_object", 1, EncodingBuiltins::decodeObject),
                Builtin.pure("crypto.md5", 1, a -> digest("MD5", a)),
                Builtin.pure("crypto.sha1", 1, a -> digest("SHA-1", a)),
                Builtin.pure("crypto.sha256", 1, a -> digest("SHA-256", a)),
                Builtin.pure("crypto.hmac.md5", 2, a -> hmac("HmacMD5", a)),
                Builtin.pure("crypto.hmac.sha1", 2, a -> hmac("HmacSHA1", a)),
                Builtin.pure("crypto.hmac.sha256", 2, a -> hmac("HmacSHA256", a)),
                Builtin.pure("crypto.hmac.sha512", 2, a -> hmac("HmacSHA512", a)),
                Builtin.pure("crypto.hmac.equal", 2, a -> Args.bool(MessageDigest.isEqual(bytes(a, 0), bytes(a, 1)))));
    }

    static byte[] bytes(JsonNode[] a, int i) {
        return string(a, i).getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode digest(String algorithm, JsonNode[] a) throws Exception {
        return text(HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes(a, 0))));
    }

    private static JsonNode hmac(String algorithm, JsonNode[] a) throws Exception {
        return text(HexFormat.of().formatHex(hmac(algorithm, bytes(a, 1), bytes(a, 0))));
    }

    /** HMAC with a JDK algorithm name (HmacSHA256…), for crypto.hmac.* and the HS JWS algorithms. */
    static byte[] hmac(String algorithm, byte[] key, byte[] input) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        // The JDK refuses an empty key; HMAC pads any key with zeros to the hash's block, so
        // an empty key is a block of zeros, as Go computes it.
        boolean wideBlock = algorithm.equals("HmacSHA384") || algorithm.equals("HmacSHA512");
        mac.init(new SecretKeySpec(key.length == 0 ? new byte[wideBlock ? 128 : 64] : key, algorithm));
        return mac.doFinal(input);
    }

    /** Go's url.QueryEscape: the JDK's form encoding, except that Go escapes '*' and keeps '~'. */
    static String queryEscape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
    }

    static String queryUnescape(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '%' && (i + 2 >= s.length() || HexFormat.fromHexDigits(s, i + 1, i + 3) < 0)) {
                throw new BuiltinException("invalid URL escape \"" + s.substring(i, Math.min(s.length(), i + 3)) + "\"");
            }
        }
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BuiltinException("invalid URL escape: " + e.getMessage());
        }
    }

    private static JsonNode encodeObject(JsonNode[] a) {
        JsonNode o = Args.object(a, 0);
        var query = new TreeMap<String, List<String>>(); // Go's url.Values.Encode sorts by key
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            JsonNode v = e.getValue();
            var values = new ArrayList<String>();
            if (v.isTextual()) {
                values.add(v.textValue());
            } else if (v.isArray()) {
                for (JsonNode s : v) {
                    if (!s.isTextual()) {
                        throw new BuiltinException("operand 1 values must be string, array[string], or set[string]");
                    }
                    values.add(s.textValue());
                }
            } else {
                throw new BuiltinException("operand 1 values must be string, array[string], or set[string]");
            }
            query.put(e.getKey(), values);
        }
        var out = new StringBuilder();
        query.forEach((k, vs) -> vs.forEach(v -> {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(queryEscape(k)).append('=').append(queryEscape(v));
        }));
        return text(out.toString());
    }

    /** Go's url.ParseQuery: '&'-separated pairs; a ';' or a bad escape is an error. */
    private static JsonNode decodeObject(JsonNode[] a) {
        String q = string(a, 0);
        var params = new LinkedHashMap<String, List<String>>();
        for (String pair : q.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            if (pair.contains(";")) {
                throw new BuiltinException("invalid semicolon separator in query");
            }
            int eq = pair.indexOf('=');
            String k = queryUnescape(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : queryUnescape(pair.substring(eq + 1));
            params.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        ObjectNode out = Args.F.objectNode();
        params.forEach((k, vs) -> out.set(k, Args.strings(vs)));
        return out;
    }
}
