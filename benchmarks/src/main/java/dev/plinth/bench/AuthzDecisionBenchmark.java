package dev.plinth.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.plinth.core.auth.TokenVerifier;
import dev.plinth.core.context.ContextResolver;
import dev.plinth.core.context.RequestContext;
import dev.plinth.datasync.model.PersistentMap;
import dev.plinth.datasync.model.Records;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.ControlPlaneSecretResolver;
import dev.plinth.datasync.secrets.FileSecretProvider;
import dev.plinth.engine.api.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process context resolution, as the filter does it for every request: verified-token
 * cache hit, Snapshot look-ups (tenant, user by identity, membership), input JSON, wasm
 * evaluation of plinth/authz/decision, result parsing. The Snapshot is the production
 * record built directly (the same object the listeners build from Firestore), with
 * {@code tenants} tenants of 10 members each; callers cycle through 1,024 of them, so with
 * the decision cache every measured call is a hit, and without it every call runs wasm.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"-Xmx6g", "--enable-native-access=ALL-UNNAMED"})
public class AuthzDecisionBenchmark {

    static final String ISSUER = dev.plinth.testing.DevTokens.ISSUER;
    static final String KEY = "bench-signing-key-0123456789abcdef0123456789abcdef";

    @Param({"100", "10000", "100000"})
    public int tenants;

    /** With the decision cache (the production setting) or every call evaluated in wasm. */
    @Param({"true", "false"})
    public boolean decisionCache;

    private ContextResolver resolver;
    /** One caller's request: what it presents and where it acts. */
    record Call(dev.plinth.core.auth.Credentials credentials, dev.plinth.core.context.Scope scope) {}

    private Call[] calls;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Snapshot snapshot = world(tenants, 10);
        Path secrets = Files.createTempFile("plinth-bench", ".json");
        Files.writeString(secrets, "{\"dev_jwt_signing_key\": \"" + KEY + "\"}");
        var resolverSecrets = new ControlPlaneSecretResolver(() -> snapshot, List.of(new FileSecretProvider(secrets)));
        var tokens = new TokenVerifier(resolverSecrets, Clock.systemUTC(), 100_000);
        PolicyEngine engine = new PolicyEngine(dev.plinth.engine.api.Bundle.builtin(),
                Runtime.getRuntime().availableProcessors(), decisionCache ? 100_000 : 0);
        engine.replaceData(1, snapshot.globalData());
        resolver = new ContextResolver(() -> Optional.of(snapshot), () -> engine, tokens);
        var random = new java.util.Random(42);
        calls = new Call[1024];
        for (int i = 0; i < calls.length; i++) {
            int t = random.nextInt(tenants);
            int m = random.nextInt(10);
            calls[i] = new Call(dev.plinth.core.auth.Credentials.bearer(token("u_" + t + "_" + m)),
                    dev.plinth.core.context.Scope.of("t_" + t, "prod"));
        }
        for (Call h : calls) {
            RequestContext c = resolver.resolve(h.credentials(), h.scope()); // fills the token cache; fails loudly if the world is wrong
            if (!c.tenantId().equals(h.scope().tenantId())) {
                throw new IllegalStateException("resolved " + c + " for " + h.scope().tenantId());
            }
        }
    }

    @Benchmark
    public RequestContext resolveContext() {
        next = (next + 1) & 1023;
        Call call = calls[next];
        return resolver.resolve(call.credentials(), call.scope());
    }

    /** A control plane of {@code tenantCount} tenants with {@code members} members each. */
    static Snapshot world(int tenantCount, int members) {
        var tenantsById = new HashMap<String, Records.Tenant>();
        var users = new HashMap<String, Records.User>();
        var memberships = new HashMap<String, Records.Membership>();
        tenantsById.put("t_system", new Records.Tenant("t_system", "active", "enterprise", List.of("dev"), List.of(),
                Map.of(), "system", Map.of("mode", "saas", "secret_ttl_seconds", 300, "secret_max_stale_seconds", 3600)));
        for (int t = 0; t < tenantCount; t++) {
            String tenant = "t_" + t;
            tenantsById.put(tenant, new Records.Tenant(tenant, "active", t % 3 == 0 ? "lab" : null, List.of("dev", "prod"),
                    List.of(), Map.of(), "Tenant " + t, Map.of()));
            for (int m = 0; m < members; m++) {
                String user = "u_" + t + "_" + m;
                users.put(user, new Records.User(user, "active", List.of(new Records.Identity(ISSUER, user)), null));
                memberships.put(Snapshot.tenantScopedKey(tenant, user),
                        new Records.Membership(tenant, user, List.of(m == 0 ? "owner" : "member"), "active"));
            }
        }
        var modes = Map.of("saas", new Records.Mode("saas", Map.of(), null), "lab", new Records.Mode("lab", Map.of(), null),
                "enterprise", new Records.Mode("enterprise", Map.of(), null));
        var idps = Map.of("plinth-dev", new Records.IdentityProvider("plinth-dev", ISSUER, "plinth", "HS256",
                "dev_jwt_signing_key", null, true, 86400));
        var secrets = Map.of("dev_jwt_signing_key", new Records.SecretMapping("dev_jwt_signing_key", "file", "dev_jwt_signing_key"));
        // The same persistent maps the listeners build.
        var entities = new Snapshot.Entities(PersistentMap.from(tenantsById), PersistentMap.from(users),
                PersistentMap.from(memberships), modes, idps, secrets, Map.of(), Map.of(), Map.of(), Map.of(),
                Map.of(), Map.of(), Map.of());
        return Snapshot.of(1, Map.of(), entities);
    }

    static String token(String subject) {
        return dev.plinth.testing.DevTokens.token(KEY, c -> c.issuer(ISSUER).subject(subject)
                .expirationTime(java.util.Date.from(Instant.now().plusSeconds(7200))));
    }
}
