package dev.plinth.core.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.plinth.datasync.model.Records.IdentityProvider;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.SecretResolver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;

/**
 * Mints a token from the control plane's dev identity provider (issuer, audience and key all
 * from data): what {@code plinth token} prints and the console's dev sign-in uses. There is
 * none to mint from unless data enables a provider with {@code dev: true}.
 */
public final class DevTokenMinter {

    private DevTokenMinter() {}

    /** The dev identity provider, when data enables one. */
    public static Optional<IdentityProvider> devProvider(Snapshot snapshot) {
        return snapshot.identityProviders().values().stream().filter(IdentityProvider::dev).findFirst();
    }

    /**
     * A token for {@code userId} (its subject at the dev issuer; an unknown user still gets one,
     * and its requests are then refused by policy, which is the honest answer).
     *
     * @throws IllegalStateException without a dev provider, or when it is not HS256
     */
    public static String mint(Snapshot snapshot, SecretResolver secrets, String userId, Duration ttl, Instant now) {
        IdentityProvider dev = devProvider(snapshot).orElseThrow(() -> new IllegalStateException(
                "no identity provider with dev: true in identity_providers; tokens can only be minted for a dev provider"));
        if (!"HS256".equals(dev.algorithm())) {
            throw new IllegalStateException("identity_providers/" + dev.id() + " uses " + dev.algorithm() + "; dev tokens are HS256 only");
        }
        byte[] key = secrets.resolve(dev.keySecret()).utf8().getBytes(StandardCharsets.UTF_8);
        String subject = snapshot.user(userId).flatMap(u -> u.identities().stream()
                .filter(i -> i.issuer().equals(dev.issuer())).findFirst()).map(i -> i.subject()).orElse(userId);
        var claims = new JWTClaimsSet.Builder().issuer(dev.issuer()).audience(dev.audience()).subject(subject)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl))).jwtID(UUID.randomUUID().toString()).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign with identity_providers/" + dev.id() + "'s key: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
