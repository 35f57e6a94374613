package dev.plinth.cli;

import com.google.cloud.firestore.Firestore;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.plinth.core.bootstrap.BootstrapConfig;
import dev.plinth.datasync.ControlPlane;
import dev.plinth.datasync.ControlPlaneStore;
import dev.plinth.datasync.Seeder;
import dev.plinth.datasync.model.Records.IdentityProvider;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.ControlPlaneSecretResolver;
import dev.plinth.datasync.secrets.FileSecretProvider;
import dev.plinth.infra.LocalInfra;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code plinth token <user_id>}: mints a token from the control plane's dev identity
 * provider (its issuer, audience and key all come from data). Prints only the token.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Mint a dev JWT for a user id (the seeded admin is u_admin). Prints only the token.")
final class TokenCommand implements java.util.concurrent.Callable<Integer> {

    @Parameters(index = "0", description = "the user id, e.g. u_admin")
    String userId;

    @Option(names = "--ttl", description = "lifetime in seconds (default 3600)")
    long ttlSeconds = 3600;

    @Override
    public Integer call() throws Exception {
        BootstrapConfig config = LocalStack.prepare(BootstrapConfig.fromEnvironment(), new LocalInfra[1]);
        try (Firestore db = ControlPlaneStore.connect(config.firestoreProject(), config.firestoreEmulatorHost());
             ControlPlane plane = new ControlPlane(db, Clock.systemUTC())) {
            Seeder.apply(db);
            Snapshot snapshot = plane.start().awaitReady(Duration.ofSeconds(60));
            IdentityProvider dev = snapshot.identityProviders().values().stream().filter(IdentityProvider::dev)
                    .findFirst().orElseThrow(() -> new IllegalStateException(
                            "no identity provider with dev: true in identity_providers; tokens can only be minted for a dev provider"));
            if (!"HS256".equals(dev.algorithm())) {
                throw new IllegalStateException("identity_providers/" + dev.id() + " uses " + dev.algorithm() + "; plinth token mints HS256 only");
            }
            var secrets = new ControlPlaneSecretResolver(() -> snapshot, List.of(new FileSecretProvider(config.secretsFile())));
            byte[] key = secrets.resolve(dev.keySecret()).utf8().getBytes(StandardCharsets.UTF_8);
            // The subject is the user's identity at this issuer; an unknown user still gets a
            // token (its requests are then refused by policy, which is the honest answer).
            String subject = snapshot.user(userId).flatMap(u -> u.identities().stream()
                    .filter(i -> i.issuer().equals(dev.issuer())).findFirst()).map(i -> i.subject()).orElse(userId);
            Instant now = Instant.now();
            var claims = new JWTClaimsSet.Builder().issuer(dev.issuer()).audience(dev.audience()).subject(subject)
                    .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                    .expirationTime(Date.from(now.plusSeconds(ttlSeconds))).jwtID(UUID.randomUUID().toString()).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(key));
            System.out.println(jwt.serialize());
        }
        return 0;
    }
}
