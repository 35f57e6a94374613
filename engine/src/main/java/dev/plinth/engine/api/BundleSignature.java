package dev.plinth.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Verifies an OPA bundle's {@code .signatures.json} the way OPA does: exactly one JWS, signed
 * with the configured key and algorithm, whose {@code files} list names every file of the
 * bundle with its hash — raw bytes for most files; for structured files ({@code data.json},
 * {@code .manifest}) the hash of the JSON with object keys sorted and no insignificant
 * whitespace, so signatures survive reformatting. Any missing, extra or mismatching file
 * rejects the bundle.
 */
public final class BundleSignature {

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature(), false);

    private BundleSignature() {}

    /**
     * @param key       the verification key: an HMAC secret, or a public key as JWK or PEM
     * @param algorithm the only accepted JWS algorithm, e.g. {@code HS256} or {@code RS256}
     * @throws EngineException.InvalidBundle naming what does not verify
     */
    public static void verify(Bundle bundle, String key, String algorithm) {
        byte[] signatures = bundle.files().get(".signatures.json");
        if (signatures == null) {
            throw new EngineException.InvalidBundle("bundle is not signed (.signatures.json is missing) and signatures are required");
        }
        try {
            JsonNode sigs = CANONICAL.readTree(signatures).path("signatures");
            if (!sigs.isArray() || sigs.size() != 1) {
                throw new EngineException.InvalidBundle(".signatures.json must hold exactly one JWT");
            }
            SignedJWT jwt = SignedJWT.parse(sigs.get(0).asText());
            if (!jwt.getHeader().getAlgorithm().equals(JWSAlgorithm.parse(algorithm))) {
                throw new EngineException.InvalidBundle("bundle signature uses " + jwt.getHeader().getAlgorithm() + ", expected " + algorithm);
            }
            if (!jwt.verify(verifier(key, jwt.getHeader().getAlgorithm()))) {
                throw new EngineException.InvalidBundle("bundle signature does not verify with the configured key");
            }
            JsonNode files = CANONICAL.readTree(jwt.getPayload().toString()).path("files");
            Map<String, JsonNode> signed = new HashMap<>();
            files.forEach(f -> signed.put(f.path("name").asText().replaceFirst("^/", ""), f));
            for (var file : bundle.files().entrySet()) {
                if (file.getKey().equals(".signatures.json")) {
                    continue;
                }
                JsonNode entry = signed.remove(file.getKey());
                if (entry == null) {
                    throw new EngineException.InvalidBundle(file.getKey() + " is not covered by the bundle signature");
                }
                if (!"SHA-256".equals(entry.path("algorithm").asText())) {
                    throw new EngineException.InvalidBundle(file.getKey() + ": unsupported hashing algorithm " + entry.path("algorithm"));
                }
                if (!hash(file.getKey(), file.getValue()).equals(entry.path("hash").asText())) {
                    throw new EngineException.InvalidBundle(file.getKey() + ": digest does not match the signature");
                }
            }
            if (!signed.isEmpty()) {
                throw new EngineException.InvalidBundle("the signature names files the bundle lacks: " + signed.keySet());
            }
        } catch (EngineException e) {
            throw e;
        } catch (Exception e) {
            throw new EngineException.InvalidBundle("bundle signature cannot be checked: " + e.getMessage(), e);
        }
    }

    private static JWSVerifier verifier(String key, JWSAlgorithm alg) throws JOSEException, java.text.ParseException {
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            return new MACVerifier(key.getBytes(StandardCharsets.UTF_8));
        }
        JWK jwk = key.strip().startsWith("-----BEGIN") ? JWK.parseFromPEMEncodedObjects(key) : JWK.parse(key);
        if (jwk instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        if (jwk instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        throw new JOSEException("unsupported verification key type " + jwk.getKeyType());
    }

    private static String hash(String name, byte[] content) throws Exception {
        byte[] hashed = content;
        String base = name.contains("/") ? name.substring(name.lastIndexOf('/') + 1) : name;
        if (base.equals("data.json") || base.equals(".manifest")) {
            Object value = CANONICAL.readValue(content, Object.class);
            hashed = CANONICAL.writeValueAsBytes(value);
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(hashed));
    }
}
