package dev.plinth.engine.builtins;

import static dev.plinth.engine.builtins.Args.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * io.jwt.*: decoding, verifying with PEM certificates, PEM public keys or JWK sets, and
 * signing with a JWK, as OPA's Go implementation answers. JWK parsing is nimbus-jose-jwt's;
 * signatures are the JDK's, called directly because OPA's rules differ from a JOSE
 * library's in places a policy can see: RSASSA-PSS accepts any salt length (Go's
 * {@code PSSSaltLengthAuto}), so it is verified by hand from the raw RSA operation; an
 * ECDSA signature is split in half whatever its length; a kid that names no key falls back
 * to trying every key.
 */
final class JwtBuiltins {

    /** Go's encoding/json: a repeated key is allowed, the last one wins. */
    private static final ObjectMapper JSON = new ObjectMapper().setNodeFactory(ValueText.factory());
    private static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
            "ES512", "HS256", "HS384", "HS512", "EdDSA");
    private static final SecureRandom RANDOM = new SecureRandom();

    private JwtBuiltins() {}

    static List<Builtin> all() {
        var out = new ArrayList<Builtin>();
        out.add(Builtin.pure("io.jwt.decode", 1, a -> decode(string(a, 0))));
        for (String alg : List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")) {
            out.add(Builtin.pure("io.jwt.verify_" + alg.toLowerCase(java.util.Locale.ROOT), 2, a -> Args.bool(verifyWithKeys(a, alg))));
        }
        out.add(Builtin.pure("io.jwt.verify_eddsa", 2, a -> Args.bool(verifyWithKeys(a, "EdDSA"))));
        for (String alg : List.of("HS256", "HS384", "HS512")) {
            out.add(Builtin.pure("io.jwt.verify_" + alg.toLowerCase(java.util.Locale.ROOT), 2, a -> {
                Token t = Token.split(string(a, 0));
                String secret = string(a, 1);
                return Args.bool(MessageDigest.isEqual(t.signature(), hmac(alg, secret.getBytes(StandardCharsets.UTF_8), t.signingInput())));
            }));
        }
        // Impure: without a "time" constraint, exp and nbf are checked against the evaluation's now.
        out.add(Builtin.impure("io.jwt.decode_verify", 2, JwtBuiltins::decodeVerify));
        out.add(Builtin.impure("io.jwt.encode_sign", 3, a -> sign(goJson(a[0]), goJson(a[1]), goJson(a[2]))));
        out.add(Builtin.impure("io.jwt.encode_sign_raw", 3, a -> sign(string(a, 0).getBytes(StandardCharsets.UTF_8),
                string(a, 1).getBytes(StandardCharsets.UTF_8), string(a, 2).getBytes(StandardCharsets.UTF_8))));
        return out;
    }

    /** A compact JWS split in three parts, as written; each decoded when asked for. */
    record Token(String header, String payload, String signatureText) {
        static Token split(String jwt) {
            if (jwt.indexOf('.') < 0) {
                throw new BuiltinException("encoded JWT had no period separators");
            }
            String[] parts = jwt.split("\\.", -1);
            if (parts.length != 3) {
                throw new BuiltinException("encoded JWT must have 3 sections, found " + parts.length);
            }
            return new Token(parts[0], parts[1], parts[2]);
        }

        byte[] signature() {
            return base64url(signatureText);
        }

        byte[] signingInput() {
            return (header + "." + payload).getBytes(StandardCharsets.UTF_8);
        }

        ObjectNode decodedHeader() {
            ObjectNode h;
            try {
                h = object(new String(base64url(header), StandardCharsets.UTF_8));
            } catch (BuiltinException e) {
                throw new BuiltinException("JWT header had invalid encoding: " + e.getMessage());
            }
            if (h.has("enc")) {
                throw new BuiltinException("JWT is a JWE object, which is not supported");
            }
            return h;
        }
    }

    /** OPA's base64url decoding: padding optional (RFC 7515 appendix C), else Go's strict decoder. */
    static byte[] base64url(String s) {
        if (!s.endsWith("=")) {
            switch (s.length() % 4) {
                case 0 -> { }
                case 2 -> s += "==";
                case 3 -> s += "=";
                default -> throw new BuiltinException("illegal base64url string: " + s);
            }
        }
        try {
            return Base64.getUrlDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new BuiltinException("illegal base64 data: " + e.getMessage());
        }
    }

    static ObjectNode object(String json) {
        JsonNode v;
        try {
            var parser = JSON.createParser(json);
            v = JSON.readTree(parser);
            if (v == null || parser.nextToken() != null) {
                throw new BuiltinException("invalid JSON");
            }
        } catch (java.io.IOException e) {
            throw new BuiltinException("invalid JSON: " + e.getMessage());
        }
        if (!(v instanceof ObjectNode o)) {
            throw new BuiltinException("decoded JSON type was not an Object");
        }
        return o;
    }

    private static JsonNode decode(String jwt) {
        Token t = Token.split(jwt);
        ObjectNode header = t.decodedHeader();
        String payload;
        try {
            payload = new String(base64url(t.payload()), StandardCharsets.UTF_8);
        } catch (BuiltinException e) {
            throw new BuiltinException("JWT payload had invalid encoding: " + e.getMessage());
        }
        if (header.path("cty").isTextual() && header.path("cty").textValue().equals("JWT")) {
            return decode(trim(payload, "\"'"));
        }
        ObjectNode body = object(payload);
        byte[] signature;
        try {
            signature = t.signature();
        } catch (BuiltinException e) {
            throw new BuiltinException("JWT signature had invalid encoding: " + e.getMessage());
        }
        ArrayNode out = Args.F.arrayNode();
        out.add(header).add(body).add(HexFormat.of().formatHex(signature));
        return out;
    }

    private static String trim(String s, String cutset) {
        int start = 0;
        int end = s.length();
        while (start < end && cutset.indexOf(s.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && cutset.indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(start, end);
    }

    /** A verification key: the JDK key (or a secret's bytes), the JWK's alg and kid when it had them. */
    record Key(Object key, String alg, String kid) {}

    /**
     * Keys read, by their text: a policy verifies every request's token against the same few
     * keys, and reading one (Base64, DER, the JDK's key factory) costs as much as an RS256
     * verification. Only public keys are kept (immutable, and no secret outlives the evaluation
     * that passed it: a JWK with an HMAC secret is read each time); a text that fails to read
     * is not kept (it fails again, with the same error). Bounded by total text size.
     */
    private static final Cache<String, List<Key>> KEYS = Caffeine.newBuilder()
            .maximumWeight(4L << 20)
            .<String, List<Key>>weigher((k, v) -> k.length())
            .build();

    /** A PEM certificate, a PEM public key, or a JWK (set), as OPA's getKeysFromCertOrJWK reads it. */
    static List<Key> keys(String text) {
        List<Key> known = KEYS.getIfPresent(text);
        if (known == null) {
            known = List.copyOf(read(text));
            if (known.stream().allMatch(k -> k.key() instanceof PublicKey)) {
                KEYS.put(text, known);
            }
        }
        return known;
    }

    private static List<Key> read(String text) {
        int begin = text.indexOf("-----BEGIN ");
        if (begin >= 0) {
            int typeEnd = text.indexOf("-----", begin + 11);
            if (typeEnd > 0) {
                String type = text.substring(begin + 11, typeEnd);
                String endLine = "-----END " + type + "-----";
                int end = text.indexOf(endLine, typeEnd);
                if (end > 0) {
                    String rest = text.substring(end + endLine.length());
                    if (rest.startsWith("\r\n")) {
                        rest = rest.substring(2);
                    } else if (rest.startsWith("\n")) {
                        rest = rest.substring(1);
                    }
                    if (!rest.isEmpty()) {
                        throw new BuiltinException("extra data after a PEM certificate block");
                    }
                    byte[] der;
                    try {
                        der = Base64.getMimeDecoder().decode(text.substring(typeEnd + 5, end).replaceAll("(?m)^[A-Za-z-]+:.*$", ""));
                    } catch (IllegalArgumentException e) {
                        throw new BuiltinException("failed to decode PEM: " + e.getMessage());
                    }
                    if (type.equals("CERTIFICATE")) {
                        try {
                            var cert = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
                            return List.of(new Key(cert.getPublicKey(), "", ""));
                        } catch (Exception e) {
                            throw new BuiltinException("failed to parse a PEM certificate: " + e.getMessage());
                        }
                    }
                    if (type.equals("PUBLIC KEY")) {
                        return List.of(new Key(publicKey(der), "", ""));
                    }
                    throw new BuiltinException("failed to extract a Key from the PEM certificate");
                }
            }
        }
        List<JWK> jwks;
        try {
            String trimmed = text.strip();
            jwks = trimmed.startsWith("{") && JSON.readTree(trimmed).has("keys") ? JWKSet.parse(trimmed).getKeys() : List.of(JWK.parse(trimmed));
        } catch (Exception e) {
            throw new BuiltinException("failed to parse a JWK key (set): " + e.getMessage());
        }
        var out = new ArrayList<Key>();
        for (JWK k : jwks) {
            String alg = k.getAlgorithm() == null ? "" : k.getAlgorithm().getName();
            if (!alg.isEmpty() && !ALGORITHMS.contains(alg)) {
                continue;
            }
            Object key;
            try {
                key = k instanceof OctetSequenceKey oct ? oct.toByteArray() : ((AsymmetricJWK) k).toPublicKey();
            } catch (Exception e) {
                throw new BuiltinException("failed to export a JWK: " + e.getMessage());
            }
            out.add(new Key(key, alg, k.getKeyID() == null ? "" : k.getKeyID()));
        }
        return out;
    }

    private static PublicKey publicKey(byte[] der) {
        for (String type : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception e) {
                // try the next key type: the SubjectPublicKeyInfo names its own algorithm
            }
        }
        throw new BuiltinException("failed to parse a PEM public key");
    }

    /** io.jwt.verify_&lt;alg&gt;: the kid's key if one matches, else every key whose alg is empty or the token's. */
    private static boolean verifyWithKeys(JsonNode[] a, String alg) {
        Token t = Token.split(string(a, 0));
        List<Key> keys = keys(string(a, 1));
        return verifiedByAny(keys, Header.of(t.decodedHeader()), alg, t);
    }

    /** OPA's key choice: the key the token's kid names, if any does; else every key whose alg is empty or the token's. */
    private static boolean verifiedByAny(List<Key> keys, Header h, String alg, Token t) {
        byte[] signature = t.signature();
        byte[] input = t.signingInput();
        if (!h.kid.isEmpty()) {
            for (Key k : keys) {
                if (k.kid().equals(h.kid)) {
                    return verifies(k.key(), alg, input, signature);
                }
            }
        }
        for (Key k : keys) {
            if ((k.alg().isEmpty() || k.alg().equals(h.alg)) && verifies(k.key(), alg, input, signature)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the signature verifies; any error (a key of the wrong type, a malformed signature) is false. */
    static boolean verifies(Object key, String alg, byte[] input, byte[] signature) {
        try {
            if (alg.startsWith("HS")) {
                return key instanceof byte[] secret && MessageDigest.isEqual(signature, hmac(alg, secret, input));
            }
            if (!(key instanceof PublicKey pub)) {
                return false;
            }
            String hash = "SHA-" + alg.substring(2);
            switch (alg.substring(0, 2)) {
                case "RS": {
                    if (!(pub instanceof RSAPublicKey)) {
                        return false;
                    }
                    Signature s = Signature.getInstance("SHA" + alg.substring(2) + "withRSA");
                    s.initVerify(pub);
                    s.update(input);
                    return s.verify(signature);
                }
                case "PS":
                    return pub instanceof RSAPublicKey rsa && Pss.verify(rsa, hash, input, signature);
                case "ES": {
                    if (!(pub instanceof ECPublicKey ec) || signature.length == 0) {
                        return false;
                    }
                    int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
                    int n = signature.length / 2;
                    byte[] fixed = new byte[2 * size];
                    copyRight(signature, 0, n, fixed, 0, size);
                    copyRight(signature, n, signature.length - n, fixed, size, size);
                    Boolean fast = Ecdsa.verify(ec, hash, input, fixed);
                    if (fast != null) {
                        return fast;
                    }
                    Signature s = Signature.getInstance("SHA" + alg.substring(2) + "withECDSAinP1363Format");
                    s.initVerify(pub);
                    s.update(input);
                    return s.verify(fixed);
                }
                case "Ed": {
                    if (!pub.getAlgorithm().equals("EdDSA") && !pub.getAlgorithm().equals("Ed25519")) {
                        return false;
                    }
                    Signature s = Signature.getInstance("Ed25519");
                    s.initVerify(pub);
                    s.update(input);
                    return s.verify(signature);
                }
                default:
                    return false;
            }
        } catch (Exception e) {
            return false;
        }
    }

    /** r and s each right-aligned in its half (Go reads them as big-endian integers of any length). */
    private static void copyRight(byte[] src, int from, int len, byte[] dst, int at, int size) {
        int skip = 0;
        while (len - skip > size && src[from + skip] == 0) {
            skip++;
        }
        if (len - skip > size) {
            throw new IllegalArgumentException("an ECDSA signature half is longer than the curve");
        }
        System.arraycopy(src, from + skip, dst, at + size - (len - skip), len - skip);
    }

    /** The HS JWS algorithm's HMAC (HS256 is HmacSHA256). */
    static byte[] hmac(String alg, byte[] secret, byte[] input) throws Exception {
        return EncodingBuiltins.hmac("HmacSHA" + alg.substring(2), secret, input);
    }

    /** EMSA-PSS verification with the salt length read from the signature, as Go's PSSSaltLengthAuto. */
    static final class Pss {
        static boolean verify(RSAPublicKey key, String hash, byte[] input, byte[] signature) throws Exception {
            BigInteger n = key.getModulus();
            int modBits = n.bitLength();
            int emBits = modBits - 1;
            int emLen = (emBits + 7) / 8;
            int k = (modBits + 7) / 8;
            if (signature.length != k) {
                return false;
            }
            BigInteger s = new BigInteger(1, signature);
            if (s.compareTo(n) >= 0) {
                return false;
            }
            byte[] em = Args.unsigned(s.modPow(key.getPublicExponent(), n), emLen);
            MessageDigest md = MessageDigest.getInstance(hash);
            byte[] mHash = md.digest(input);
            int hLen = mHash.length;
            if (emLen < hLen + 2 || em[emLen - 1] != (byte) 0xbc) {
                return false;
            }
            int dbLen = emLen - hLen - 1;
            byte[] db = java.util.Arrays.copyOfRange(em, 0, dbLen);
            byte[] h = java.util.Arrays.copyOfRange(em, dbLen, dbLen + hLen);
            int zeroBits = 8 * emLen - emBits;
            if ((db[0] & (0xff << (8 - zeroBits))) != 0) {
                return false;
            }
            byte[] mask = mgf1(md, h, dbLen);
            for (int i = 0; i < dbLen; i++) {
                db[i] ^= mask[i];
            }
            db[0] &= (byte) (0xff >>> zeroBits);
            int i = 0;
            while (i < dbLen && db[i] == 0) {
                i++;
            }
            if (i == dbLen || db[i] != 1) {
                return false;
            }
            byte[] salt = java.util.Arrays.copyOfRange(db, i + 1, dbLen);
            md.reset();
            md.update(new byte[8]);
            md.update(mHash);
            md.update(salt);
            return MessageDigest.isEqual(md.digest(), h);
        }

        private static byte[] mgf1(MessageDigest md, byte[] seed, int len) {
            byte[] out = new byte[len];
            int done = 0;
            for (int counter = 0; done < len; counter++) {
                md.reset();
                md.update(seed);
                md.update(new byte[] {(byte) (counter >>> 24), (byte) (counter >>> 16), (byte) (counter >>> 8), (byte) counter});
                byte[] block = md.digest();
                int take = Math.min(block.length, len - done);
                System.arraycopy(block, 0, out, done, take);
                done += take;
            }
            return out;
        }

    }

    /** The header fields OPA reads, with its checks (alg, kid, typ, cty strings; crit a non-empty list of strings). */
    record Header(String alg, String kid, String cty, boolean valid) {
        static Header of(ObjectNode header) {
            String alg = "";
            String kid = "";
            String cty = "";
            Set<String> crit = Set.of();
            var unknown = new ArrayList<String>();
            for (Map.Entry<String, JsonNode> e : header.properties()) {
                JsonNode v = e.getValue();
                switch (e.getKey()) {
                    case "alg", "kid", "typ", "cty" -> {
                        if (!v.isTextual()) {
                            throw new BuiltinException(e.getKey() + ": must be a string");
                        }
                        switch (e.getKey()) {
                            case "alg" -> alg = v.textValue();
                            case "kid" -> kid = v.textValue();
                            case "cty" -> cty = v.textValue();
                            default -> { }
                        }
                    }
                    case "crit" -> {
                        if (!v.isArray() || v instanceof ValueText.SetNode) {
                            throw new BuiltinException("crit: must be a list");
                        }
                        var names = new java.util.HashSet<String>();
                        v.forEach(x -> {
                            if (x.isTextual()) {
                                names.add(x.textValue());
                            }
                        });
                        if (names.isEmpty()) {
                            throw new BuiltinException("crit: must be a nonempty list");
                        }
                        crit = names;
                    }
                    default -> unknown.add(e.getKey());
                }
            }
            boolean valid = !alg.isEmpty();
            for (String u : unknown) {
                valid &= !crit.contains(u);
            }
            return new Header(alg, kid, cty, valid);
        }
    }

    private static JsonNode unverified() {
        ArrayNode out = Args.F.arrayNode();
        out.add(false).add(Args.F.objectNode()).add(Args.F.objectNode());
        return out;
    }

    private static JsonNode decodeVerify(JsonNode[] a) {
        JsonNode c = Args.object(a, 1);
        List<Key> keys = null;
        String secret = "";
        String alg = "";
        String iss = "";
        String aud = "";
        double time = -1;
        for (Map.Entry<String, JsonNode> e : c.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "cert" -> {
                    if (!v.isTextual()) {
                        throw new BuiltinException("cert constraint: must be a string");
                    }
                    keys = keys(v.textValue());
                }
                case "secret", "alg", "iss", "aud" -> {
                    if (!v.isTextual()) {
                        throw new BuiltinException(e.getKey() + " constraint: must be a string");
                    }
                    switch (e.getKey()) {
                        case "secret" -> secret = v.textValue();
                        case "alg" -> alg = v.textValue();
                        case "iss" -> iss = v.textValue();
                        default -> aud = v.textValue();
                    }
                }
                case "time" -> time = timeOf(v);
                default -> throw new BuiltinException("unknown token validation constraint: " + e.getKey());
            }
        }
        if (time == -1) {
            time = timeOf(ValueBuiltins.nanos(Evaluation.current().now()));
        }
        int keyConstraints = (keys != null ? 1 : 0) + (secret.isEmpty() ? 0 : 1);
        if (keyConstraints > 1) {
            throw new BuiltinException("duplicate key constraints");
        }
        if (keyConstraints < 1) {
            throw new BuiltinException("no key constraint");
        }
        String jwt = string(a, 0);
        ObjectNode header;
        String payloadText;
        while (true) {
            Token t = Token.split(jwt);
            header = t.decodedHeader();
            Header h = Header.of(header);
            if (!h.valid || (!alg.isEmpty() && !alg.equals(h.alg))) {
                return unverified();
            }
            if (!verifiesConstraint(keys, secret, h, t)) {
                return unverified();
            }
            try {
                payloadText = new String(base64url(t.payload()), StandardCharsets.UTF_8);
            } catch (BuiltinException e) {
                throw new BuiltinException("JWT payload had invalid encoding: " + e.getMessage());
            }
            if (h.cty.equalsIgnoreCase("JWT")) {
                jwt = payloadText;
                continue;
            }
            break;
        }
        ObjectNode payload = object(payloadText);
        if (!iss.isEmpty() && !(payload.path("iss").isTextual() && payload.path("iss").textValue().equals(iss))) {
            return unverified();
        }
        JsonNode audience = payload.get("aud");
        if (audience != null) {
            boolean ok = audience.isTextual() ? audience.textValue().equals(aud) : false;
            if (audience.isArray() && !(audience instanceof ValueText.SetNode)) {
                for (JsonNode x : audience) {
                    if (x.isTextual() && x.textValue().equals(aud)) {
                        ok = true;
                        break;
                    }
                }
            }
            if (!ok) {
                return unverified();
            }
        } else if (!aud.isEmpty()) {
            return unverified();
        }
        double seconds = time / 1_000_000_000d;
        JsonNode exp = payload.get("exp");
        if (exp != null) {
            if (!exp.isNumber()) {
                throw new BuiltinException("exp value must be a number");
            }
            // OPA compares the float64 of now, as its shortest decimal, with the claim
            if (new java.math.BigDecimal(Double.toString(seconds)).compareTo(exp.decimalValue()) >= 0) {
                return unverified();
            }
        }
        JsonNode nbf = payload.get("nbf");
        if (nbf != null) {
            if (!nbf.isNumber()) {
                throw new BuiltinException("nbf value must be a number");
            }
            if (new java.math.BigDecimal(Double.toString(seconds)).compareTo(nbf.decimalValue()) < 0) {
                return unverified();
            }
        }
        ArrayNode out = Args.F.arrayNode();
        out.add(true).add(header).add(payload);
        return out;
    }

    private static boolean verifiesConstraint(List<Key> keys, String secret, Header h, Token t) {
        if (keys != null) {
            return ALGORITHMS.contains(h.alg) && verifiedByAny(keys, h, h.alg, t);
        }
        return h.alg.startsWith("HS") && ALGORITHMS.contains(h.alg)
                && verifies(secret.getBytes(StandardCharsets.UTF_8), h.alg, t.signingInput(), t.signature());
    }

    private static double timeOf(JsonNode v) {
        if (!v.isNumber()) {
            throw new BuiltinException("token time constraint: must be a number");
        }
        double d = v.doubleValue();
        if (d < 0) {
            throw new BuiltinException("token time constraint: must not be negative");
        }
        return d;
    }

    static byte[] goJson(JsonNode v) {
        return ValueText.goJson(v).getBytes(StandardCharsets.UTF_8);
    }

    /** io.jwt.encode_sign(_raw): the first key of the JWK (set), the header's alg. */
    private static JsonNode sign(byte[] headers, byte[] payload, byte[] jwk) throws Exception {
        List<JWK> keys;
        String text = new String(jwk, StandardCharsets.UTF_8);
        try {
            keys = JSON.readTree(text).has("keys") ? JWKSet.parse(text).getKeys() : List.of(JWK.parse(text));
        } catch (Exception e) {
            throw new BuiltinException("failed to parse the JWK: " + e.getMessage());
        }
        if (keys.isEmpty()) {
            throw new BuiltinException("no keys found in JWK set");
        }
        JWK key = keys.get(0);
        JsonNode h;
        try {
            h = JSON.readTree(headers);
        } catch (java.io.IOException e) {
            throw new BuiltinException("missing or invalid 'alg' header: " + e.getMessage());
        }
        if (h == null || !h.path("alg").isTextual()) {
            throw new BuiltinException("missing or invalid 'alg' header");
        }
        String alg = h.path("alg").textValue();
        if (!ALGORITHMS.contains(alg)) {
            throw new BuiltinException("unknown JWS algorithm: " + alg);
        }
        JsonNode typ = h.get("typ");
        if ((typ == null || !typ.isTextual() || typ.textValue().equals("JWT")) && !validJson(payload)) {
            throw new BuiltinException("type is JWT but payload is not JSON");
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(headers) + "." + b64.encodeToString(payload);
        byte[] data = input.getBytes(StandardCharsets.US_ASCII);
        byte[] signature = signature(key, alg, data);
        return Args.text(input + "." + b64.encodeToString(signature));
    }

    private static boolean validJson(byte[] bytes) {
        try {
            var parser = JSON.createParser(bytes);
            JsonNode tree = JSON.readTree(parser);
            return tree != null && !tree.isMissingNode() && parser.nextToken() == null;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static byte[] signature(JWK key, String alg, byte[] data) throws Exception {
        if (alg.startsWith("HS")) {
            if (!(key instanceof OctetSequenceKey oct)) {
                throw new BuiltinException("an " + alg + " signature needs a symmetric (oct) key");
            }
            return hmac(alg, oct.toByteArray(), data);
        }
        PrivateKey pk;
        if (key instanceof RSAKey rsa && rsa.isPrivate()) {
            pk = rsa.toPrivateKey();
        } else if (key instanceof ECKey ec && ec.isPrivate()) {
            pk = ec.toPrivateKey();
        } else if (key instanceof OctetKeyPair okp && okp.isPrivate()) {
            pk = KeyFactory.getInstance("Ed25519").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(ed25519Pkcs8(okp.getDecodedD())));
        } else {
            throw new BuiltinException("the JWK holds no private key for " + alg);
        }
        String bits = alg.substring(2);
        Signature s = switch (alg.substring(0, 2)) {
            case "RS" -> Signature.getInstance("SHA" + bits + "withRSA");
            case "PS" -> {
                Signature pss = Signature.getInstance("RSASSA-PSS");
                String hash = "SHA-" + bits;
                pss.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), Integer.parseInt(bits) / 8, 1));
                yield pss;
            }
            case "ES" -> Signature.getInstance("SHA" + bits + "withECDSAinP1363Format");
            default -> Signature.getInstance("Ed25519");
        };
        s.initSign(pk, RANDOM);
        s.update(data);
        return s.sign();
    }

    /** A raw Ed25519 private key wrapped as PKCS#8 (RFC 8410), the form the JDK's KeyFactory reads. */
    private static byte[] ed25519Pkcs8(byte[] d) {
        byte[] prefix = HexFormat.of().parseHex("302e020100300506032b657004220420");
        byte[] out = new byte[prefix.length + d.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(d, 0, out, prefix.length, d.length);
        return out;
    }
}
