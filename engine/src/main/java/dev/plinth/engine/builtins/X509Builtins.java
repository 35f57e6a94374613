package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * crypto.x509.* and crypto.parse_private_keys, reading PEM, base64 PEM or base64 DER as OPA
 * does and answering what Go's crypto/x509 types marshal to: a certificate is Go's
 * {@code x509.Certificate} (plus OPA's {@code URIStrings}) with the fields a policy reads —
 * every field Go marshals. Name constraints and certificate policies are not decoded: a
 * certificate that has them is answered without those fields (a policy reading one finds
 * it undefined, never wrong), and one without them has Go's zero values. The JDK parses and
 * verifies; {@link Der} only walks what it accepted. Verification is at the evaluation's
 * time, so parse_and_verify_certificates is impure (never cached).
 */
final class X509Builtins {

    private static final Base64.Encoder B64 = Base64.getEncoder();

    private X509Builtins() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.pure("crypto.x509.parse_certificates", 1, a -> certificates(parseCertificates(Args.string(a, 0)))),
                Builtin.impure("crypto.x509.parse_and_verify_certificates", 1, a -> verified(Args.string(a, 0), Options.DEFAULT, true)),
                Builtin.impure("crypto.x509.parse_and_verify_certificates_with_options", 2,
                        a -> verified(Args.string(a, 0), Options.of(Args.object(a, 1)), false)),
                Builtin.pure("crypto.x509.parse_certificate_request", 1, a -> request(Args.string(a, 0))),
                Builtin.pure("crypto.x509.parse_keypair", 2, a -> keypair(Args.string(a, 0), Args.string(a, 1))),
                Builtin.pure("crypto.x509.parse_rsa_private_key", 1, a -> {
                    String text = Args.string(a, 0);
                    if (text.isEmpty()) {
                        throw new BuiltinException("input PEM data was empty");
                    }
                    if (!text.startsWith("-----BEGIN")) {
                        text = new String(base64(text), StandardCharsets.UTF_8);
                    }
                    List<PrivateKey> keys = privateKeys(text);
                    return keys.isEmpty() ? Args.F.nullNode() : jwk(keys.get(0));
                }),
                Builtin.pure("crypto.parse_private_keys", 1, a -> {
                    String text = Args.string(a, 0);
                    if (text.isEmpty()) {
                        return Args.F.nullNode();
                    }
                    ArrayNode out = Args.F.arrayNode();
                    privateKeys(text).forEach(k -> out.add(goKey(k)));
                    return out;
                }));
    }

    /** Go's base64.StdEncoding: padded, line breaks ignored (the JDK's decoder also takes unpadded text). */
    static byte[] base64(String text) {
        String s = text.replace("\r", "").replace("\n", "");
        if (s.length() % 4 != 0) {
            throw new BuiltinException("illegal base64 data at input byte " + s.length());
        }
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new BuiltinException("illegal base64 data: " + e.getMessage());
        }
    }

    /** PEM blocks as Go's pem.Decode finds them, one after another. */
    record Block(String type, byte[] bytes) {}

    static List<Block> pem(String text) {
        var out = new ArrayList<Block>();
        int at = 0;
        while (true) {
            int begin = text.indexOf("-----BEGIN ", at);
            if (begin < 0) {
                return out;
            }
            int typeEnd = text.indexOf("-----", begin + 11);
            if (typeEnd < 0) {
                return out;
            }
            String type = text.substring(begin + 11, typeEnd);
            String endLine = "-----END " + type + "-----";
            int end = text.indexOf(endLine, typeEnd + 5);
            if (end < 0) {
                return out;
            }
            String body = text.substring(typeEnd + 5, end).replaceAll("(?m)^[A-Za-z-]+:.*$", "").replaceAll("\\s", "");
            try {
                out.add(new Block(type, Base64.getDecoder().decode(body)));
            } catch (IllegalArgumentException e) {
                // Go skips a block whose body is not base64
            }
            at = end + endLine.length();
        }
    }

    static List<X509Certificate> parseCertificates(String text) {
        byte[] der;
        if (text.startsWith("-----BEGIN")) {
            der = fromPem(text);
        } else {
            byte[] decoded = base64(text);
            der = new String(decoded, StandardCharsets.ISO_8859_1).startsWith("-----BEGIN")
                    ? fromPem(new String(decoded, StandardCharsets.UTF_8)) : decoded;
        }
        var out = new ArrayList<X509Certificate>();
        try {
            var factory = CertificateFactory.getInstance("X.509");
            for (Der.Tlv t : Der.read(der)) {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(t.encoded())));
            }
        } catch (BuiltinException | java.security.cert.CertificateException e) {
            throw new BuiltinException("x509: malformed certificate");
        }
        return out;
    }

    private static byte[] fromPem(String text) {
        var all = new java.io.ByteArrayOutputStream();
        for (Block b : pem(text)) {
            if (!b.type().equals("CERTIFICATE")) {
                throw new BuiltinException("PEM block type is '" + b.type() + "', expected CERTIFICATE");
            }
            all.writeBytes(b.bytes());
        }
        return all.toByteArray();
    }

    /** Go's VerifyOptions that OPA reads from its options object. */
    record Options(String dnsName, Instant at, List<String> keyUsages) {
        static final Options DEFAULT = new Options("", null, List.of());

        private static final Map<String, String> USAGES = Map.ofEntries(
                Map.entry("KeyUsageAny", "2.5.29.37.0"), Map.entry("KeyUsageServerAuth", "1.3.6.1.5.5.7.3.1"),
                Map.entry("KeyUsageClientAuth", "1.3.6.1.5.5.7.3.2"), Map.entry("KeyUsageCodeSigning", "1.3.6.1.5.5.7.3.3"),
                Map.entry("KeyUsageEmailProtection", "1.3.6.1.5.5.7.3.4"), Map.entry("KeyUsageIPSECEndSystem", "1.3.6.1.5.5.7.3.5"),
                Map.entry("KeyUsageIPSECTunnel", "1.3.6.1.5.5.7.3.6"), Map.entry("KeyUsageIPSECUser", "1.3.6.1.5.5.7.3.7"),
                Map.entry("KeyUsageTimeStamping", "1.3.6.1.5.5.7.3.8"), Map.entry("KeyUsageOCSPSigning", "1.3.6.1.5.5.7.3.9"),
                Map.entry("KeyUsageMicrosoftServerGatedCrypto", "1.3.6.1.4.1.311.10.3.3"),
                Map.entry("KeyUsageNetscapeServerGatedCrypto", "2.16.840.1.113730.4.1"),
                Map.entry("KeyUsageMicrosoftCommercialCodeSigning", "1.3.6.1.4.1.311.2.1.22"),
                Map.entry("KeyUsageMicrosoftKernelCodeSigning", "1.3.6.1.4.1.311.61.1.1"));

        static Options of(JsonNode o) {
            String dns = "";
            Instant at = null;
            var usages = new ArrayList<String>();
            for (var e : o.properties()) {
                JsonNode v = e.getValue();
                switch (e.getKey()) {
                    case "DNSName" -> {
                        if (!v.isTextual()) {
                            throw new BuiltinException("'DNSName' should be a string");
                        }
                        dns = v.textValue().replace("\"", "");
                    }
                    case "CurrentTime" -> {
                        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                            throw new BuiltinException("'CurrentTime' should be a valid int64 number");
                        }
                        at = Instant.ofEpochSecond(0, v.longValue());
                    }
                    case "MaxConstraintComparisons" -> {
                        // bounds Go's name-constraint checks; the JDK's have their own
                        if (!v.isIntegralNumber()) {
                            throw new BuiltinException("'MaxConstraintComparisons' should be a valid number");
                        }
                    }
                    case "KeyUsages" -> {
                        if (!v.isArray()) {
                            throw new BuiltinException("'KeyUsages' should be an Array or Set");
                        }
                        var invalid = new ArrayList<String>();
                        for (JsonNode u : v) {
                            if (u.isTextual()) {
                                String name = u.textValue().replace("\"", "");
                                if (USAGES.containsKey(name)) {
                                    usages.add(USAGES.get(name));
                                } else {
                                    invalid.add(name);
                                }
                            }
                        }
                        if (!invalid.isEmpty()) {
                            throw new BuiltinException("invalid entries for 'KeyUsages' found: " + invalid);
                        }
                    }
                    default -> throw new BuiltinException("invalid key option");
                }
            }
            return new Options(dns, at, usages);
        }
    }

    private static JsonNode verified(String text, Options options, boolean withUriStrings) {
        List<X509Certificate> certs;
        try {
            certs = parseCertificates(text);
        } catch (BuiltinException e) {
            return unverified();
        }
        try {
            List<X509Certificate> chain = verify(certs, options);
            ArrayNode out = certificates(chain);
            if (!withUriStrings) {
                out.forEach(c -> ((ObjectNode) c).remove("URIStrings"));
            }
            return Args.array(List.of(Args.bool(true), out));
        } catch (BuiltinException e) {
            return unverified();
        }
    }

    private static JsonNode unverified() {
        return Args.array(List.of(Args.bool(false), Args.F.arrayNode()));
    }

    /**
     * Go's Verify as OPA calls it: the first certificate is the root, the last the leaf, the
     * rest intermediates; answers the chain from the leaf up to the root.
     */
    private static List<X509Certificate> verify(List<X509Certificate> certs, Options options) {
        if (certs.size() < 2) {
            throw new BuiltinException("must supply at least two certificates to be able to verify");
        }
        X509Certificate root = certs.get(0);
        X509Certificate leaf = certs.get(certs.size() - 1);
        List<X509Certificate> chain;
        try {
            var selector = new X509CertSelector();
            selector.setCertificate(leaf);
            var params = new PKIXBuilderParameters(Set.of(new TrustAnchor(root, null)), selector);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(options.at() != null ? options.at() : Evaluation.current().now()));
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(certs.subList(1, certs.size()))));
            var result = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
            chain = new ArrayList<>();
            result.getCertPath().getCertificates().forEach(c -> chain.add((X509Certificate) c));
            chain.add(root);
        } catch (Exception e) {
            throw new BuiltinException("x509: " + e.getMessage());
        }
        // Go checks the usages along the whole chain: a certificate without an extended key
        // usage allows any; otherwise one of the wanted ones (server authentication by default).
        List<String> wanted = options.keyUsages().isEmpty() ? List.of("1.3.6.1.5.5.7.3.1") : options.keyUsages();
        if (!wanted.contains("2.5.29.37.0")) {
            for (X509Certificate c : chain) {
                List<String> eku;
                try {
                    eku = c.getExtendedKeyUsage();
                } catch (java.security.cert.CertificateParsingException e) {
                    throw new BuiltinException("x509: " + e.getMessage());
                }
                if (eku != null && !eku.contains("2.5.29.37.0") && wanted.stream().noneMatch(eku::contains)) {
                    throw new BuiltinException("x509: certificate specifies an incompatible key usage");
                }
            }
        }
        if (!options.dnsName().isEmpty() && !matchesHost(leaf, options.dnsName())) {
            throw new BuiltinException("x509: certificate is not valid for " + options.dnsName());
        }
        return chain;
    }

    /** Go's VerifyHostname: an IP against the IP SANs, a name against the DNS SANs (a leading * one label). */
    private static boolean matchesHost(X509Certificate c, String host) {
        try {
            if (c.getSubjectAlternativeNames() == null) {
                return false;
            }
            boolean isIp = host.matches("[0-9.]+") || host.contains(":");
            String wanted = host.toLowerCase(java.util.Locale.ROOT).replaceAll("\\.$", "");
            for (List<?> san : c.getSubjectAlternativeNames()) {
                String value = String.valueOf(san.get(1));
                if (isIp && (Integer) san.get(0) == 7) {
                    byte[] a = NetBuiltins.parseIp(value);
                    if (a != null && java.util.Arrays.equals(a, NetBuiltins.parseIp(host))) {
                        return true;
                    }
                } else if (!isIp && (Integer) san.get(0) == 2) {
                    String pattern = value.toLowerCase(java.util.Locale.ROOT);
                    if (pattern.equals(wanted)) {
                        return true;
                    }
                    if (pattern.startsWith("*.") && wanted.indexOf('.') > 0 && wanted.substring(wanted.indexOf('.')).equals(pattern.substring(1))) {
                        return true;
                    }
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private static ArrayNode certificates(List<X509Certificate> certs) {
        ArrayNode out = Args.F.arrayNode();
        certs.forEach(c -> out.add(certificate(c)));
        return out;
    }

    private static final Map<String, Integer> SIGNATURE_ALGORITHMS = Map.ofEntries(
            Map.entry("1.2.840.113549.1.1.2", 1), Map.entry("1.2.840.113549.1.1.4", 2), Map.entry("1.2.840.113549.1.1.5", 3),
            Map.entry("1.2.840.113549.1.1.11", 4), Map.entry("1.2.840.113549.1.1.12", 5), Map.entry("1.2.840.113549.1.1.13", 6),
            Map.entry("1.2.840.10040.4.3", 7), Map.entry("2.16.840.1.101.3.4.3.2", 8), Map.entry("1.2.840.10045.4.1", 9),
            Map.entry("1.2.840.10045.4.3.2", 10), Map.entry("1.2.840.10045.4.3.3", 11), Map.entry("1.2.840.10045.4.3.4", 12),
            Map.entry("1.3.101.112", 16));

    private static final Map<String, Integer> EXT_KEY_USAGES = Map.ofEntries(
            Map.entry("2.5.29.37.0", 0), Map.entry("1.3.6.1.5.5.7.3.1", 1), Map.entry("1.3.6.1.5.5.7.3.2", 2),
            Map.entry("1.3.6.1.5.5.7.3.3", 3), Map.entry("1.3.6.1.5.5.7.3.4", 4), Map.entry("1.3.6.1.5.5.7.3.5", 5),
            Map.entry("1.3.6.1.5.5.7.3.6", 6), Map.entry("1.3.6.1.5.5.7.3.7", 7), Map.entry("1.3.6.1.5.5.7.3.8", 8),
            Map.entry("1.3.6.1.5.5.7.3.9", 9), Map.entry("1.3.6.1.4.1.311.10.3.3", 10), Map.entry("2.16.840.1.113730.4.1", 11),
            Map.entry("1.3.6.1.4.1.311.2.1.22", 12), Map.entry("1.3.6.1.4.1.311.61.1.1", 13));

    /** The extensions Go's parser understands: a critical one outside these is "unhandled". */
    private static final Set<String> GO_HANDLED = Set.of("2.5.29.15", "2.5.29.19", "2.5.29.17", "2.5.29.30", "2.5.29.31", "2.5.29.32",
            "2.5.29.37", "2.5.29.35", "2.5.29.14", "1.3.6.1.5.5.7.1.1", "2.5.29.36", "2.5.29.33", "2.5.29.54");

    /** Go's x509.Certificate as JSON, with OPA's URIStrings. */
    private static ObjectNode certificate(X509Certificate c) {
        try {
            ObjectNode o = Args.F.objectNode();
            byte[] raw = c.getEncoded();
            List<Der.Tlv> tbs = Der.one(Der.one(raw).children().get(0).encoded()).children();
            int i = tbs.get(0).tag() == 0xa0 ? 1 : 0;
            o.put("Raw", B64.encodeToString(raw));
            o.put("RawTBSCertificate", B64.encodeToString(c.getTBSCertificate()));
            o.put("RawSubjectPublicKeyInfo", B64.encodeToString(tbs.get(i + 5).encoded()));
            o.put("RawSubject", B64.encodeToString(tbs.get(i + 4).encoded()));
            o.put("RawIssuer", B64.encodeToString(tbs.get(i + 2).encoded()));
            o.put("Signature", B64.encodeToString(c.getSignature()));
            o.put("SignatureAlgorithm", signatureAlgorithm(c.getSigAlgOID(), c.getSigAlgParams()));
            o.set("PublicKey", goKey(c.getPublicKey()));
            o.put("PublicKeyAlgorithm", switch (c.getPublicKey().getAlgorithm()) {
                case "RSA" -> 1;
                case "DSA" -> 2;
                case "EC" -> 3;
                case "Ed25519", "EdDSA" -> 4;
                default -> 0;
            });
            o.put("Version", c.getVersion());
            o.put("SerialNumber", c.getSerialNumber());
            o.set("Issuer", name(tbs.get(i + 2)));
            o.set("Subject", name(tbs.get(i + 4)));
            o.put("NotBefore", time(c.getNotBefore()));
            o.put("NotAfter", time(c.getNotAfter()));
            boolean[] usage = c.getKeyUsage();
            int bits = 0;
            for (int b = 0; usage != null && b < usage.length; b++) {
                bits |= usage[b] ? 1 << b : 0;
            }
            o.put("KeyUsage", bits);
            ArrayNode extensions = Args.F.arrayNode();
            for (Der.Tlv t : tbs) {
                if (t.tag() == 0xa3) {
                    for (Der.Tlv ext : Der.one(t.content()).children()) {
                        var parts = ext.children();
                        ObjectNode e = extensions.addObject();
                        ArrayNode id = e.putArray("Id");
                        parts.get(0).oid().forEach(id::add);
                        boolean critical = parts.size() == 3 && parts.get(1).content().length == 1 && parts.get(1).content()[0] != 0;
                        e.put("Critical", critical);
                        e.put("Value", B64.encodeToString(parts.get(parts.size() - 1).content()));
                    }
                }
            }
            o.set("Extensions", extensions.isEmpty() ? Args.F.nullNode() : extensions);
            List<String> eku = c.getExtendedKeyUsage();
            o.set("ExtKeyUsage", eku == null ? Args.F.nullNode() : ints(eku.stream().filter(EXT_KEY_USAGES::containsKey).map(EXT_KEY_USAGES::get).toList()));
            int constraints = c.getBasicConstraints();
            boolean hasBasic = c.getExtensionValue("2.5.29.19") != null;
            o.put("BasicConstraintsValid", hasBasic);
            o.put("IsCA", constraints >= 0);
            o.put("MaxPathLen", constraints < 0 ? 0 : constraints == Integer.MAX_VALUE ? -1 : constraints);
            o.put("MaxPathLenZero", constraints == 0);
            o.set("SubjectKeyId", keyId(c.getExtensionValue("2.5.29.14"), false));
            o.set("AuthorityKeyId", keyId(c.getExtensionValue("2.5.29.35"), true));
            var dns = new ArrayList<String>();
            var emails = new ArrayList<String>();
            var ips = new ArrayList<String>();
            var uris = new ArrayList<String>();
            if (c.getSubjectAlternativeNames() != null) {
                for (List<?> san : c.getSubjectAlternativeNames()) {
                    String value = String.valueOf(san.get(1));
                    switch ((Integer) san.get(0)) {
                        case 1 -> emails.add(value);
                        case 2 -> dns.add(value);
                        case 6 -> uris.add(value);
                        case 7 -> {
                            // The JDK writes an IP SAN as a literal; Go's parser reads it (no name lookup).
                            byte[] ip = NetBuiltins.parseIp(value);
                            if (ip != null) {
                                ips.add(NetBuiltins.format(ip));
                            }
                        }
                        default -> {}
                    }
                }
            }
            o.set("DNSNames", strings(dns));
            o.set("EmailAddresses", strings(emails));
            o.set("IPAddresses", strings(ips));
            ArrayNode uriObjects = Args.F.arrayNode();
            for (String u : uris) {
                try {
                    uriObjects.add(DocumentBuiltins.GoUrl.parse(u).toStruct());
                } catch (BuiltinException e) {
                    // Go refuses the whole certificate for a SAN URI it cannot parse; the JDK accepted it.
                }
            }
            o.set("URIs", uriObjects.isEmpty() ? Args.F.nullNode() : uriObjects);
            o.set("URIStrings", strings(uris));
            o.set("ExtraExtensions", Args.F.nullNode());
            var oids = new java.util.HashSet<String>();
            if (c.getCriticalExtensionOIDs() != null) {
                oids.addAll(c.getCriticalExtensionOIDs());
            }
            if (oids.stream().allMatch(GO_HANDLED::contains)) {
                o.set("UnhandledCriticalExtensions", Args.F.nullNode());
            }
            ArrayNode unknownUsages = Args.F.arrayNode();
            if (eku != null) {
                eku.stream().filter(u -> !EXT_KEY_USAGES.containsKey(u))
                        .forEach(u -> unknownUsages.add(ints(java.util.Arrays.stream(u.split("\\.")).map(Integer::valueOf).toList())));
            }
            o.set("UnknownExtKeyUsage", unknownUsages.isEmpty() ? Args.F.nullNode() : unknownUsages);
            var ocsp = new ArrayList<String>();
            var issuers = new ArrayList<String>();
            byte[] aia = c.getExtensionValue("1.3.6.1.5.5.7.1.1");
            if (aia != null) {
                for (Der.Tlv access : Der.one(Der.one(aia).content()).children()) {
                    var parts = access.children();
                    if (parts.size() == 2 && parts.get(1).tag() == 0x86) {
                        String method = parts.get(0).oidString();
                        String location = new String(parts.get(1).content(), StandardCharsets.US_ASCII);
                        (method.equals("1.3.6.1.5.5.7.48.1") ? ocsp : method.equals("1.3.6.1.5.5.7.48.2") ? issuers : new ArrayList<String>()).add(location);
                    }
                }
            }
            o.set("OCSPServer", strings(ocsp));
            o.set("IssuingCertificateURL", strings(issuers));
            var crl = new ArrayList<String>();
            byte[] points = c.getExtensionValue("2.5.29.31");
            if (points != null) {
                for (Der.Tlv point : Der.one(Der.one(points).content()).children()) {
                    for (Der.Tlv field : point.children()) {
                        if (field.tag() == 0xa0) {
                            for (Der.Tlv name : field.children()) {
                                if (name.tag() == 0xa0) {
                                    name.children().stream().filter(n -> n.tag() == 0x86)
                                            .forEach(n -> crl.add(new String(n.content(), StandardCharsets.US_ASCII)));
                                }
                            }
                        }
                    }
                }
            }
            o.set("CRLDistributionPoints", strings(crl));
            // Name constraints and certificate policies are not decoded: their fields are
            // answered (with Go's zero values) only for a certificate that has none.
            if (c.getExtensionValue("2.5.29.30") == null) {
                o.put("PermittedDNSDomainsCritical", false);
                for (String f : List.of("PermittedDNSDomains", "ExcludedDNSDomains", "PermittedIPRanges", "ExcludedIPRanges",
                        "PermittedEmailAddresses", "ExcludedEmailAddresses", "PermittedURIDomains", "ExcludedURIDomains")) {
                    o.set(f, Args.F.nullNode());
                }
            }
            if (c.getExtensionValue("2.5.29.32") == null) {
                o.set("PolicyIdentifiers", Args.F.nullNode());
                o.set("Policies", Args.F.nullNode());
            }
            if (c.getExtensionValue("2.5.29.36") == null && c.getExtensionValue("2.5.29.33") == null && c.getExtensionValue("2.5.29.54") == null) {
                for (String f : List.of("InhibitAnyPolicy", "InhibitPolicyMapping", "RequireExplicitPolicy")) {
                    o.put(f, 0);
                    o.put(f + "Zero", false);
                }
                o.set("PolicyMappings", Args.F.nullNode());
            }
            return o;
        } catch (BuiltinException e) {
            throw e;
        } catch (Exception e) {
            throw new BuiltinException("x509: " + e.getMessage());
        }
    }

    private static int signatureAlgorithm(String oid, byte[] params) {
        if (oid.equals("1.2.840.113549.1.1.10") && params != null) {
            // RSASSA-PSS: the hash is in the parameters (SHA-256, -384, -512 → 13, 14, 15).
            String hex = java.util.HexFormat.of().formatHex(params);
            return hex.contains("608648016503040201") ? 13 : hex.contains("608648016503040202") ? 14 : hex.contains("608648016503040203") ? 15 : 0;
        }
        return SIGNATURE_ALGORITHMS.getOrDefault(oid, 0);
    }

    private static JsonNode keyId(byte[] extension, boolean authority) {
        if (extension == null) {
            return Args.F.nullNode();
        }
        Der.Tlv value = Der.one(Der.one(extension).content());
        if (!authority) {
            return Args.F.textNode(B64.encodeToString(value.content()));
        }
        for (Der.Tlv t : value.children()) {
            if (t.tag() == 0x80) {
                return Args.F.textNode(B64.encodeToString(t.content()));
            }
        }
        return Args.F.nullNode();
    }

    private static String time(Date d) {
        return DateTimeFormatter.ISO_INSTANT.format(d.toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    private static JsonNode strings(List<String> items) {
        return items.isEmpty() ? Args.F.nullNode() : Args.strings(items);
    }

    private static ArrayNode ints(List<Integer> items) {
        ArrayNode a = Args.F.arrayNode();
        items.forEach(a::add);
        return a;
    }

    private static final Map<String, String> NAME_FIELDS = Map.of(
            "2.5.4.6", "Country", "2.5.4.10", "Organization", "2.5.4.11", "OrganizationalUnit", "2.5.4.7", "Locality",
            "2.5.4.8", "Province", "2.5.4.9", "StreetAddress", "2.5.4.17", "PostalCode");

    /** Go's pkix.Name: the common attributes by field, every attribute in Names, in order. */
    private static ObjectNode name(Der.Tlv name) {
        ObjectNode o = Args.F.objectNode();
        var lists = new java.util.LinkedHashMap<String, List<String>>();
        for (String f : List.of("Country", "Organization", "OrganizationalUnit", "Locality", "Province", "StreetAddress", "PostalCode")) {
            lists.put(f, new ArrayList<>());
        }
        String serial = "";
        String common = "";
        ArrayNode names = Args.F.arrayNode();
        for (Der.Tlv rdn : name.children()) {
            for (Der.Tlv attribute : rdn.children()) {
                var parts = attribute.children();
                String oid = parts.get(0).oidString();
                String value = text(parts.get(1));
                ObjectNode n = names.addObject();
                ArrayNode type = n.putArray("Type");
                parts.get(0).oid().forEach(type::add);
                n.put("Value", value);
                if (NAME_FIELDS.containsKey(oid)) {
                    lists.get(NAME_FIELDS.get(oid)).add(value);
                } else if (oid.equals("2.5.4.5")) {
                    serial = value;
                } else if (oid.equals("2.5.4.3")) {
                    common = value;
                }
            }
        }
        lists.forEach((f, values) -> o.set(f, strings(values)));
        o.put("SerialNumber", serial);
        o.put("CommonName", common);
        o.set("Names", names.isEmpty() ? Args.F.nullNode() : names);
        o.set("ExtraNames", Args.F.nullNode());
        return o;
    }

    private static String text(Der.Tlv value) {
        return switch (value.tag()) {
            case 0x1e -> new String(value.content(), StandardCharsets.UTF_16BE);
            case 0x1c -> new String(value.content(), java.nio.charset.Charset.forName("UTF-32BE"));
            case 0x14, 0x16, 0x13, 0x12, 0x1a -> new String(value.content(), StandardCharsets.ISO_8859_1);
            default -> new String(value.content(), StandardCharsets.UTF_8);
        };
    }

    /** A public or private key as Go's crypto types marshal (big integers as numbers). */
    static JsonNode goKey(Object key) {
        ObjectNode o = Args.F.objectNode();
        if (key instanceof RSAPrivateCrtKey k) {
            o.put("N", k.getModulus());
            o.put("E", k.getPublicExponent());
            o.put("D", k.getPrivateExponent());
            o.putArray("Primes").add(k.getPrimeP()).add(k.getPrimeQ());
            ObjectNode pre = o.putObject("Precomputed");
            pre.put("Dp", k.getPrimeExponentP());
            pre.put("Dq", k.getPrimeExponentQ());
            pre.put("Qinv", k.getCrtCoefficient());
            pre.set("CRTValues", Args.F.arrayNode());
            return o;
        }
        if (key instanceof RSAPublicKey k) {
            o.put("N", k.getModulus());
            o.put("E", k.getPublicExponent());
            return o;
        }
        if (key instanceof ECPrivateKey k) {
            o.putObject("Curve");
            o.put("D", k.getS());
            return o;
        }
        if (key instanceof ECPublicKey k) {
            o.putObject("Curve");
            o.put("X", k.getW().getAffineX());
            o.put("Y", k.getW().getAffineY());
            return o;
        }
        if (key instanceof java.security.Key k && k.getEncoded() != null) {
            return Args.F.textNode(B64.encodeToString(k.getEncoded()));
        }
        return Args.F.nullNode();
    }

    /** The private keys in PEM text (or base64 of it): RSA (PKCS#1), PKCS#8 and EC (SEC 1) blocks. */
    static List<PrivateKey> privateKeys(String text) {
        try {
            text = new String(base64(text), StandardCharsets.UTF_8);
        } catch (BuiltinException e) {
            // not base64: PEM as given
        }
        var out = new ArrayList<PrivateKey>();
        for (Block b : pem(text)) {
            try {
                switch (b.type()) {
                    case "RSA PRIVATE KEY" -> out.add(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Der.pkcs8FromPkcs1(b.bytes()))));
                    case "PRIVATE KEY" -> out.add(pkcs8(b.bytes()));
                    case "EC PRIVATE KEY" -> out.add(KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Der.pkcs8FromSec1(b.bytes()))));
                    default -> {}
                }
            } catch (BuiltinException e) {
                throw e;
            } catch (Exception e) {
                throw new BuiltinException("x509: failed to parse private key: " + e.getMessage());
            }
        }
        return out;
    }

    private static PrivateKey pkcs8(byte[] der) throws Exception {
        for (String type : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException e) {
                // the PKCS#8 structure names its algorithm; try the next
            }
        }
        throw new BuiltinException("x509: PKCS#8 wrapping contained an unknown key type");
    }

    /** The key as a JWK (OPA answers it through its JWK library): RSA keys only, as the builtin's name says. */
    private static JsonNode jwk(PrivateKey key) throws Exception {
        if (key instanceof RSAPrivateCrtKey k) {
            var pub = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new java.security.spec.RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
            return ValueText.parse(new RSAKey.Builder(pub).privateKey(k).build().toJSONString());
        }
        throw new BuiltinException("unsupported private key type " + key.getAlgorithm());
    }

    private static JsonNode keypair(String cert, String key) {
        String certText = cert.startsWith("-----BEGIN ") ? cert : new String(base64(cert), StandardCharsets.ISO_8859_1);
        String keyText = key.startsWith("-----BEGIN ") ? key : new String(base64(key), StandardCharsets.ISO_8859_1);
        List<X509Certificate> certs;
        if (certText.startsWith("-----BEGIN ")) {
            certs = parseCertificates(certText);
        } else {
            certs = parseCertificates(B64.encodeToString(certText.getBytes(StandardCharsets.ISO_8859_1)));
        }
        List<PrivateKey> keys = keyText.startsWith("-----BEGIN") ? privateKeys(keyText)
                : privateKeys("-----BEGIN PRIVATE KEY-----\n" + B64.encodeToString(keyText.getBytes(StandardCharsets.ISO_8859_1)) + "\n-----END PRIVATE KEY-----\n");
        if (certs.isEmpty()) {
            throw new BuiltinException("tls: failed to find any PEM data in certificate input");
        }
        if (keys.isEmpty()) {
            throw new BuiltinException("tls: failed to find any PEM data in key input");
        }
        if (!matches(certs.get(0), keys.get(0))) {
            throw new BuiltinException("tls: private key does not match public key");
        }
        ObjectNode o = Args.F.objectNode();
        ArrayNode chain = o.putArray("Certificate");
        for (X509Certificate c : certs) {
            try {
                chain.add(B64.encodeToString(c.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new BuiltinException("x509: " + e.getMessage());
            }
        }
        o.set("PrivateKey", goKey(keys.get(0)));
        o.set("SupportedSignatureAlgorithms", Args.F.nullNode());
        o.set("OCSPStaple", Args.F.nullNode());
        o.set("SignedCertificateTimestamps", Args.F.nullNode());
        ObjectNode leaf = certificate(certs.get(0));
        leaf.remove("URIStrings");
        o.set("Leaf", leaf);
        return o;
    }

    private static boolean matches(X509Certificate cert, PrivateKey key) {
        if (cert.getPublicKey() instanceof RSAPublicKey pub && key instanceof RSAPrivateCrtKey priv) {
            return pub.getModulus().equals(priv.getModulus());
        }
        if (cert.getPublicKey() instanceof ECPublicKey && key instanceof ECPrivateKey) {
            return true;
        }
        return cert.getPublicKey().getAlgorithm().equals(key.getAlgorithm());
    }

    private static JsonNode request(String text) {
        byte[] der = text.getBytes(StandardCharsets.UTF_8);
        if (!text.startsWith("-----BEGIN CERTIFICATE REQUEST-----")) {
            der = base64(text);
        }
        var blocks = pem(new String(der, StandardCharsets.ISO_8859_1));
        if (!blocks.isEmpty()) {
            if (!blocks.get(0).type().equals("CERTIFICATE REQUEST")) {
                throw new BuiltinException("invalid PEM-encoded certificate signing request");
            }
            der = blocks.get(0).bytes();
        }
        try {
            List<Der.Tlv> info = Der.one(Der.one(der).children().get(0).encoded()).children();
            ObjectNode o = Args.F.objectNode();
            o.put("Raw", B64.encodeToString(der));
            o.put("RawTBSCertificateRequest", B64.encodeToString(Der.one(der).children().get(0).encoded()));
            o.put("RawSubjectPublicKeyInfo", B64.encodeToString(info.get(2).encoded()));
            o.put("RawSubject", B64.encodeToString(info.get(1).encoded()));
            o.put("Version", info.get(0).integer());
            o.set("Subject", name(info.get(1)));
            return o;
        } catch (BuiltinException | IndexOutOfBoundsException e) {
            throw new BuiltinException("asn1: structure error");
        }
    }
}
