package dev.plinth.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.function.UnaryOperator;

/**
 * The tests' one token minter: HS256 tokens as the seeded dev identity provider accepts them
 * (what {@code ./plinth token} mints from data). Tests change the claims they attack
 * (issuer, audience, expiry, subject) through {@link #token(String, UnaryOperator)}.
 */
public final class DevTokens {

    /**
     * The seeded dev provider's issuer and audience. Test support cannot read the seed (that
     * would be a cycle through data-sync's own tests); decision-api's {@code SeedDevProviderTest}
     * fails if the seed and these drift apart.
     */
    public static final String ISSUER = "https://plinth.local/dev";
    public static final String AUDIENCE = "plinth";

    private DevTokens() {}

    /** A token for {@code subject}, valid for an hour from now, signed with {@code key}. */
    public static String token(String key, String subject) {
        return token(key, c -> c.subject(subject));
    }

    /**
     * A token from the dev defaults (issuer, audience, subject {@code u_admin}, issued now,
     * valid for an hour) with whatever {@code customize} changes, signed with {@code key}.
     */
    public static String token(String key, UnaryOperator<JWTClaimsSet.Builder> customize) {
        Instant now = Instant.now();
        var claims = customize.apply(new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("u_admin")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600)))).build();
        var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign with this key (HS256 needs at least 32 bytes): " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
