package dev.plinth.core.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URI;
import java.util.List;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import dev.plinth.datasync.model.Records.IdentityProvider;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.SecretException;
import dev.plinth.datasync.secrets.SecretResolver;
import dev.plinth.datasync.secrets.SecretValue;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;

/**
 * Verifies bearer JWTs against the issuers in {@code identity_providers}: the issuer must be
 * configured, the algorithm must be the provider's, the signature must verify with the key
 * held under the provider's secret name, and {@code aud}, {@code exp} and {@code nbf} must
 * hold. Unsigned tokens ({@code alg: none}) never parse as signed and are rejected.
 *
 * <p>Verified tokens are cached (bounded, never past their expiry, only while their
 * provider's configuration is unchanged, and only while the key that verified them is still
 * the provider's key: a rotated secret or JWKS cuts off tokens of the old key as soon as the
 * resolver serves the new one), because an RSA or EC check costs tens of microseconds on
 * every request. A token may live at most its provider's {@code max_token_lifetime_seconds},
 * else the platform's ({@code tenants/t_system.defaults}); a provider with neither accepts none.
 */
public final class TokenVerifier {

    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(TokenVerifier.class.getName());

    private record Verified(IdentityProvider provider, JWSHeader header, String keyFingerprint, String issuer, String subject,
                            Instant expiresAt) {}

    /** A verifier and a fingerprint of the key behind it (the cache's proof that the key has not changed). */
    private record Key(JWSVerifier verifier, String fingerprint) {}

    private final SecretResolver secrets;
    private final Clock clock;
    private final Cache<String, Verified> cache;
    /** One cached JWKS source per URL; bounded by the number of configured identity providers. */
    private final java.util.concurrent.ConcurrentHashMap<String, JWKSource<SecurityContext>> jwksSources =
            new java.util.concurrent.ConcurrentHashMap<>();

    public TokenVerifier(SecretResolver secrets, Clock clock, long maxCachedTokens) {
        this.secrets = secrets;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxCachedTokens)
                .ticker(() -> clock.millis() * 1_000_000L)
                .expireAfter(Expiry.<String, Verified>creating((token, v) ->
                        Duration.between(clock.instant(), v.expiresAt()).isNegative()
                                ? Duration.ZERO : Duration.between(clock.instant(), v.expiresAt())))
                .build();
    }

    /** Checks presented credentials against the snapshot's identity providers. */
    public TokenFacts verify(Credentials credentials, Snapshot snapshot) {
        return verify(credentials.authorization(), snapshot);
    }

    private TokenFacts verify(String authorizationHeader, Snapshot snapshot) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            return TokenFacts.absent();
        }
        if (!authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return TokenFacts.rejected("Authorization must use the Bearer scheme");
        }
        String token = authorizationHeader.substring(7).trim();
        Verified cached = cache.getIfPresent(token);
        if (cached != null && cached.provider().equals(snapshot.providerForIssuer(cached.issuer()).orElse(null))
                && clock.instant().isBefore(cached.expiresAt()) && stillTheKey(cached, snapshot)) {
            return TokenFacts.verified(cached.issuer(), cached.subject());
        }
        try {
            Verified v = verifyFresh(token, snapshot);
            cache.put(token, v);
            return TokenFacts.verified(v.issuer(), v.subject());
        } catch (Rejected e) {
            return TokenFacts.rejected(e.getMessage());
        }
    }

    private Verified verifyFresh(String token, Snapshot snapshot) throws Rejected {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new Rejected("token is not a signed JWT");
        }
        String issuer = claims.getIssuer();
        IdentityProvider provider = snapshot.providerForIssuer(issuer)
                .orElseThrow(() -> new Rejected("issuer is not a configured identity provider"));
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (provider.algorithm() == null || !alg.getName().equals(provider.algorithm())) {
            throw new Rejected("algorithm " + alg.getName() + " is not accepted for this issuer");
        }
        Key key;
        try {
            key = keyFor(provider, jwt.getHeader());
            if (!jwt.verify(key.verifier())) {
                throw new Rejected("bad signature");
            }
        } catch (JOSEException e) {
            throw new Rejected("signature cannot be checked: " + e.getMessage());
        }
        var claimsVerifier = new DefaultJWTClaimsVerifier<>(
                provider.audience() == null ? null : Set.of(provider.audience()),
                new JWTClaimsSet.Builder().issuer(issuer).build(),
                Set.of("sub", "exp"), null) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claimsVerifier.setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        try {
            claimsVerifier.verify(claims, null);
        } catch (BadJWTException e) {
            throw new Rejected(e.getMessage());
        }
        Instant expires = claims.getExpirationTime().toInstant();
        checkLifetime(provider, snapshot, claims, expires);
        return new Verified(provider, jwt.getHeader(), key.fingerprint(), issuer, claims.getSubject(), expires);
    }

    /** A token may not live longer than its provider allows, counted from its issue time (or now, without one). */
    private void checkLifetime(IdentityProvider provider, Snapshot snapshot, JWTClaimsSet claims, Instant expires) throws Rejected {
        long max = provider.maxTokenLifetimeSeconds();
        if (max <= 0) {
            max = snapshot.platform().maxTokenLifetime().orElseThrow(() -> new Rejected(
                    "no maximum token lifetime: set identity_providers/" + provider.id()
                            + ".max_token_lifetime_seconds or tenants/t_system.defaults.max_token_lifetime_seconds")).toSeconds();
        }
        Instant now = clock.instant();
        Instant from = claims.getIssueTime() == null ? now : claims.getIssueTime().toInstant();
        if (from.isAfter(now.plus(CLOCK_SKEW))) {
            throw new Rejected("token is issued in the future");
        }
        Duration limit = Duration.ofSeconds(max).plus(CLOCK_SKEW);
        if (Duration.between(from, expires).compareTo(limit) > 0 || Duration.between(now, expires).compareTo(limit) > 0) {
            throw new Rejected("token lives longer than the " + max + " s its issuer allows");
        }
    }

    /**
     * Whether the key that verified a cached token is still its provider's key. A key is
     * looked up again at most once a second per key slot (a secret name, or a JWKS URL and
     * key id), and at once when secrets are not cached ({@code secret_ttl_seconds} 0): the
     * resolver and nimbus' JWKS cache serve a key for their own TTLs, so a rotation cuts off
     * the old key's tokens within that TTL plus a second, and a cache hit stays a map look-up.
     */
    private boolean stillTheKey(Verified v, Snapshot snapshot) {
        HeldKey known = heldKeys.get(slot(v.provider(), v.header()));
        if (known != null && known.fingerprint().equals(v.keyFingerprint())
                && clock.millis() - known.checkedAtMillis() < recheckMillis(v.provider(), snapshot)) {
            return true;
        }
        try {
            return keyFor(v.provider(), v.header()).fingerprint().equals(v.keyFingerprint());
        } catch (JOSEException | Rejected e) {
            return false;
        }
    }

    /** Where a provider's key for a token is held: its secret name, or its JWKS URL and the token's key id. */
    private static String slot(IdentityProvider provider, JWSHeader header) {
        return provider.jwksUrl() == null ? "secret:" + provider.keySecret() : "jwks:" + provider.jwksUrl() + "#" + header.getKeyID();
    }

    private static long recheckMillis(IdentityProvider provider, Snapshot snapshot) {
        if (provider.jwksUrl() != null) {
            return 1_000;
        }
        return Math.min(1_000, snapshot.platform().secretTtl().toMillis());
    }

    /**
     * A key, its fingerprint and when it was last looked up, by {@link #slot}: bounded by the
     * secret names providers use and the keys their JWKS hold (a slot is kept only for a key found).
     */
    private record HeldKey(Object value, String fingerprint, long checkedAtMillis) {}

    private final java.util.concurrent.ConcurrentHashMap<String, HeldKey> heldKeys = new java.util.concurrent.ConcurrentHashMap<>();

    private HeldKey secretKey(IdentityProvider provider) throws Rejected {
        SecretValue value;
        try {
            value = secrets.resolve(provider.keySecret());
        } catch (SecretException e) {
            // The reason reaches unauthenticated callers: it names no file, provider or reference.
            LOG.warning("verification key of identity provider " + provider.id() + " unavailable: " + e.getMessage());
            throw new Rejected("verification key of " + provider.id() + " unavailable");
        }
        String slot = "secret:" + provider.keySecret();
        HeldKey known = heldKeys.get(slot);
        known = known != null && known.value() == value ? new HeldKey(value, known.fingerprint(), clock.millis())
                : new HeldKey(value, fingerprint(value.bytes()), clock.millis());
        heldKeys.put(slot, known);
        return known;
    }

    private static String fingerprint(byte[] material) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(material));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Key keyFor(IdentityProvider provider, JWSHeader header) throws JOSEException, Rejected {
        JWSAlgorithm alg = header.getAlgorithm();
        if (provider.jwksUrl() != null) {
            return fromJwks(provider, header);
        }
        if (provider.keySecret() == null) {
            throw new Rejected("identity provider " + provider.id() + " names neither key_secret nor jwks_url");
        }
        HeldKey held = secretKey(provider);
        SecretValue secret = (SecretValue) held.value(); // a secret slot holds the resolver's value
        String key = secret.utf8();
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            return new Key(new MACVerifier(secret.bytes()), held.fingerprint());
        }
        try {
            JWK jwk = JWK.parse(key);
            if (jwk instanceof RSAKey rsa) {
                return new Key(new RSASSAVerifier(rsa), held.fingerprint());
            }
            if (jwk instanceof ECKey ec) {
                return new Key(new ECDSAVerifier(ec), held.fingerprint());
            }
        } catch (ParseException e) {
            throw new Rejected("verification key of " + provider.id() + " is not a JWK");
        }
        throw new Rejected("unsupported key type for " + alg.getName());
    }

    /** The key the token's header names, from the issuer's JWKS (fetched and cached by nimbus). */
    private Key fromJwks(IdentityProvider provider, JWSHeader header) throws JOSEException, Rejected {
        JWKSource<SecurityContext> source = jwksSources.computeIfAbsent(provider.jwksUrl(), url -> {
            try {
                return JWKSourceBuilder.create(URI.create(url).toURL()).retrying(true).build();
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException("jwks_url " + url + " is not a URL", e);
            }
        });
        List<JWK> keys;
        try {
            keys = source.get(new JWKSelector(JWKMatcher.forJWSHeader(header)), null);
        } catch (KeySourceException e) {
            throw new Rejected("JWKS of " + provider.id() + " unavailable: " + e.getMessage());
        }
        if (keys.isEmpty()) {
            throw new Rejected("no key in the JWKS of " + provider.id() + " matches the token's header");
        }
        JWK jwk = keys.get(0);
        String fingerprint = fingerprint(jwk.toJSONString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        heldKeys.put(slot(provider, header), new HeldKey(jwk, fingerprint, clock.millis()));
        if (jwk instanceof RSAKey rsa) {
            return new Key(new RSASSAVerifier(rsa), fingerprint);
        }
        if (jwk instanceof ECKey ec) {
            return new Key(new ECDSAVerifier(ec), fingerprint);
        }
        throw new Rejected("unsupported JWKS key type " + jwk.getKeyType());
    }

    private static final class Rejected extends Exception {
        Rejected(String message) {
            super(message, null, false, false);
        }
    }
}
