package dev.plinth.core.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.plinth.core.auth.TokenVerifier;
import dev.plinth.datasync.model.Records;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.ControlPlaneSecretResolver;
import dev.plinth.datasync.secrets.FileSecretProvider;
import dev.plinth.engine.api.PolicyEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The resolver keeps recent callers' facts per snapshot. A new snapshot must be gathered
 * afresh even when its revision did not move (a change one listener delivers with a read
 * time below another listener's keeps the revision), or a revoked membership would still
 * be allowed.
 */
class ContextResolverCacheTest {

    private static final String ISSUER = "https://plinth.local/dev";
    private static final String KEY = "cache-test-signing-key-0123456789abcdef0123456789";

    @Test
    void aRevokedMembershipIsRefusedOnTheNextSnapshotEvenWithTheSameRevision() throws Exception {
        var current = new AtomicReference<>(world(true));
        var secrets = Files.createTempFile("plinth-cache-test", ".json");
        Files.writeString(secrets, "{\"dev_jwt_signing_key\": \"" + KEY + "\"}");
        var tokens = new TokenVerifier(new ControlPlaneSecretResolver(current::get, List.of(new FileSecretProvider(secrets))),
                Clock.systemUTC(), 100);
        var engine = PolicyEngine.builtin();
        engine.replaceData(current.get().generation(), current.get().globalData());
        var resolver = new ContextResolver(() -> Optional.of(current.get()), () -> engine, tokens);
        var credentials = dev.plinth.core.auth.Credentials.bearer(token("u_ana"));
        var scope = Scope.of("t_acme", "dev");

        assertThat(resolver.resolve(credentials, scope).roles()).containsExactly("member");
        assertThat(resolver.resolve(credentials, scope).roles()).as("a repeated call (cached facts)").containsExactly("member");

        Snapshot revoked = world(false);
        assertThat(revoked.revision()).isEqualTo(current.get().revision());
        assertThat(revoked.generation()).isGreaterThan(current.get().generation());
        current.set(revoked);
        assertThatThrownBy(() -> resolver.resolve(credentials, scope)).isInstanceOfSatisfying(dev.plinth.core.PlinthException.Denied.class,
                p -> assertThat(p.policyStatus()).isEqualTo(403));
    }

    private static Snapshot world(boolean member) {
        var memberships = new HashMap<String, Records.Membership>();
        if (member) {
            memberships.put(Snapshot.tenantScopedKey("t_acme", "u_ana"), new Records.Membership("t_acme", "u_ana", List.of("member"), "active"));
        }
        var entities = new Snapshot.Entities(
                Map.of("t_system", new Records.Tenant("t_system", "active", "enterprise", List.of("dev"), List.of(), Map.of(), "system", Map.of("mode", "saas")),
                        "t_acme", new Records.Tenant("t_acme", "active", null, List.of("dev"), List.of(), Map.of(), "Acme", Map.of())),
                Map.of("u_ana", new Records.User("u_ana", "active", List.of(new Records.Identity(ISSUER, "u_ana")), null)),
                memberships, Map.of("saas", new Records.Mode("saas", Map.of(), null)),
                Map.of("plinth-dev", new Records.IdentityProvider("plinth-dev", ISSUER, "plinth", "HS256", "dev_jwt_signing_key", null, true, 3600)),
                Map.of("dev_jwt_signing_key", new Records.SecretMapping("dev_jwt_signing_key", "file", "dev_jwt_signing_key")),
                Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
        return Snapshot.of(42, Map.of(), entities);
    }

    private static String token(String subject) {
        return dev.plinth.testing.DevTokens.token(KEY, c -> c.issuer(ISSUER).subject(subject));
    }
}
