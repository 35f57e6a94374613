package dev.plinth.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.plinth.core.PlinthException;
import dev.plinth.core.auth.Credentials;
import dev.plinth.core.auth.TokenVerifier;
import dev.plinth.core.context.ContextResolver;
import dev.plinth.core.context.RequestContext;
import dev.plinth.core.context.Scope;
import dev.plinth.datasync.RevisionToken;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.SecretValue;
import dev.plinth.engine.api.PolicyEngine;
import dev.plinth.testing.DevTokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;
import java.util.Optional;

/**
 * What every request carries before any route runs: the {@code Authorization} header (a
 * JWT, verified: signature, issuer, audience, lifetime), the context headers
 * ({@code X-Tenant-Id}, {@code X-Env}, surface, app, project) decided by the built-in policy,
 * and {@code X-Min-Revision} tokens. Inputs are sometimes garbage, sometimes a correctly
 * signed token with fuzzed claims, so the fuzzer reaches the decision too. Every request is
 * either a context or a refusal with a status below 500 ({@link PlinthException} other than
 * {@code Internal}); a malformed revision token is an {@code IllegalArgumentException}
 * (400 {@code MALFORMED_CONTEXT}). Anything else is a 500, a defect.
 */
class TokenAndContextFuzzTest {

    private static final Snapshot SNAPSHOT = Fixture.snapshot();
    private static final PolicyEngine ENGINE = engine();
    private static final ContextResolver RESOLVER = new ContextResolver(() -> Optional.of(SNAPSHOT), () -> ENGINE,
            new TokenVerifier(name -> new SecretValue(Fixture.KEY.getBytes(StandardCharsets.UTF_8)), Clock.systemUTC(), 1_000));

    private static PolicyEngine engine() {
        PolicyEngine e = PolicyEngine.builtin();
        e.replaceData(SNAPSHOT.generation(), SNAPSHOT.globalData());
        return e;
    }

    @FuzzTest(maxDuration = "15s")
    void request(FuzzedDataProvider d) {
        String header = switch (d.consumeInt(0, 3)) {
            case 0 -> d.consumeString(600);
            case 1 -> "Bearer " + d.consumeString(600);
            default -> "Bearer " + signed(d);
        };
        var scope = new Scope(pick(d, "t_acme", "t_system"), pick(d, "dev", "prod"), nullable(d), nullable(d), nullable(d));
        try {
            RequestContext context = RESOLVER.resolve(Credentials.ofAuthorizationHeader(header), scope);
            if (context == null) {
                throw new AssertionError("a resolution without a context or a refusal");
            }
        } catch (PlinthException refused) {
            if (refused instanceof PlinthException.Internal) {
                throw refused;
            }
        }
        String revision = d.consumeString(120);
        try {
            RevisionToken.parse(revision);
        } catch (IllegalArgumentException malformed) {
            // 400 MALFORMED_CONTEXT
        }
    }

    private static String signed(FuzzedDataProvider d) {
        String subject = pick(d, "u_ana", "u_admin");
        boolean otherIssuer = d.consumeBoolean();
        String issuer = otherIssuer ? d.consumeString(60) : DevTokens.ISSUER;
        long lifetime = d.consumeLong(-10_000, 200_000);
        String audience = d.consumeBoolean() ? DevTokens.AUDIENCE : d.consumeString(30);
        String claimName = d.consumeString(20);
        String claimValue = d.consumeString(60);
        return DevTokens.token(Fixture.KEY, c -> c.subject(subject).issuer(issuer).audience(audience)
                .expirationTime(new Date(System.currentTimeMillis() + lifetime * 1000))
                .claim(claimName.isEmpty() ? "x" : claimName, claimValue));
    }

    private static String pick(FuzzedDataProvider d, String a, String b) {
        return switch (d.consumeInt(0, 2)) {
            case 0 -> a;
            case 1 -> b;
            default -> d.consumeString(80);
        };
    }

    private static String nullable(FuzzedDataProvider d) {
        return d.consumeBoolean() ? null : d.consumeString(80);
    }
}
