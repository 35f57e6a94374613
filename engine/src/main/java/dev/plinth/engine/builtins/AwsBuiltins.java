package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * providers.aws.sign_req: AWS Signature Version 4 of an http.send request object, as OPA's
 * signer builds it (its canonical request differs from the AWS SDKs' in places a policy can
 * observe: the path as written, the query as written, headers joined without trimming, the
 * payload hash header only for s3 and glacier), so it is written here rather than taken from
 * an SDK. Answers the request with its headers signed.
 */
final class AwsBuiltins {

    private static final Set<String> REQUIRED = Set.of("aws_service", "aws_access_key", "aws_secret_access_key", "aws_region");
    private static final Set<String> IGNORED_HEADERS = Set.of("authorization", "user-agent", "x-amzn-trace-id");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private AwsBuiltins() {}

    static List<Builtin> all() {
        return List.of(Builtin.pure("providers.aws.sign_req", 3, AwsBuiltins::sign));
    }

    private static JsonNode sign(JsonNode[] a) throws Exception {
        JsonNode req = Args.object(a, 0);
        JsonNode config = Args.object(a, 1);
        for (String k : REQUIRED) {
            if (!config.has(k)) {
                throw new BuiltinException("operand 2 missing required AWS config parameters(s): " + k);
            }
            if (!config.get(k).isTextual()) {
                throw new BuiltinException("operand 2 invalid values for required AWS config parameters(s): " + k);
            }
        }
        if (!a[2].isNumber()) {
            throw Args.typeError(3, a[2], "number");
        }
        if (!a[2].isIntegralNumber() || !a[2].canConvertToLong()) {
            throw new BuiltinException("operand 3 could not convert time_ns value into a unix timestamp");
        }
        Instant at = Instant.ofEpochSecond(0, a[2].longValue());
        req.fieldNames().forEachRemaining(k -> {
            if (!NetworkBuiltins.ALLOWED.contains(k)) {
                throw new BuiltinException("operand 1 invalid request parameters(s): " + k);
            }
        });
        if (!req.has("url") || !req.has("method")) {
            throw new BuiltinException("operand 1 missing required request parameters(s)");
        }
        JsonNode headers = req.has("headers") ? req.get("headers") : Args.F.objectNode();
        if (!headers.isObject()) {
            throw Args.typeError(0, headers, "object");
        }
        if (!req.get("url").isTextual() || !req.get("method").isTextual()) {
            throw new BuiltinException("operand 1 invalid values for required request parameters(s)");
        }
        var url = DocumentBuiltins.GoUrl.parse(req.get("url").textValue());
        String method = req.get("method").textValue();
        byte[] body = req.has("raw_body") ? text(req.get("raw_body")).getBytes(StandardCharsets.UTF_8)
                : req.has("body") ? ValueText.goJson(req.get("body")).getBytes(StandardCharsets.UTF_8) : new byte[0];
        boolean unsignedPayload = false;
        if (config.has("disable_payload_signing")) {
            if (!config.get("disable_payload_signing").isBoolean()) {
                throw new BuiltinException("operand 2 invalid value for 'disable_payload_signing' in AWS config");
            }
            unsignedPayload = config.get("disable_payload_signing").booleanValue();
        }
        String service = config.get("aws_service").textValue();
        String accessKey = config.get("aws_access_key").textValue();
        String secretKey = config.get("aws_secret_access_key").textValue();
        String region = config.get("aws_region").textValue();
        String token = text(config.get("aws_session_token"));

        String payloadHash = unsignedPayload ? "UNSIGNED-PAYLOAD" : hex(MessageDigest.getInstance("SHA-256").digest(body));
        String day = DAY.format(at);
        String stamp = STAMP.format(at);
        var amz = new TreeMap<String, String>();
        amz.put("host", url.host());
        amz.put("x-amz-date", stamp);
        if (service.equals("s3") || service.equals("glacier")) {
            amz.put("x-amz-content-sha256", payloadHash);
        }
        if (!token.isEmpty()) {
            amz.put("x-amz-security-token", token);
        }
        var toSign = new TreeMap<String, String>(amz);
        headers.properties().forEach(e -> {
            String lower = e.getKey().toLowerCase(java.util.Locale.ROOT);
            if (!IGNORED_HEADERS.contains(lower)) {
                toSign.put(lower, text(e.getValue()));
            }
        });
        var canonical = new StringBuilder().append(method).append('\n').append(url.escapedPath()).append('\n')
                .append(url.rawQuery()).append('\n');
        toSign.forEach((k, v) -> canonical.append(k).append(':').append(v).append('\n'));
        String signedHeaders = String.join(";", toSign.keySet());
        canonical.append('\n').append(signedHeaders).append('\n').append(payloadHash);

        String scope = day + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n"
                + hex(MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] key = EncodingBuiltins.hmac("HmacSHA256", ("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), day.getBytes(StandardCharsets.UTF_8));
        for (String part : List.of(region, service, "aws4_request")) {
            key = EncodingBuiltins.hmac("HmacSHA256", key, part.getBytes(StandardCharsets.UTF_8));
        }
        String signature = hex(EncodingBuiltins.hmac("HmacSHA256", key, stringToSign.getBytes(StandardCharsets.UTF_8)));

        ObjectNode signed = Args.F.objectNode();
        headers.properties().forEach(e -> signed.put(e.getKey(), text(e.getValue())));
        signed.put("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope + ",SignedHeaders=" + signedHeaders
                + ",Signature=" + signature);
        amz.forEach(signed::put);
        ObjectNode out = ((ObjectNode) req).deepCopy();
        out.set("headers", signed);
        return out;
    }

    /** OPA reads a non-string value where it wants a string as "". */
    private static String text(JsonNode v) {
        return v != null && v.isTextual() ? v.textValue() : "";
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
