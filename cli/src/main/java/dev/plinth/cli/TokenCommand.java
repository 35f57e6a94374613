package dev.plinth.cli;

import com.google.cloud.firestore.Firestore;
import dev.plinth.core.bootstrap.BootstrapConfig;
import dev.plinth.datasync.ControlPlane;
import dev.plinth.datasync.ControlPlaneStore;
import dev.plinth.datasync.Seeder;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.ControlPlaneSecretResolver;
import dev.plinth.datasync.secrets.FileSecretProvider;
import dev.plinth.infra.LocalInfra;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
            var secrets = new ControlPlaneSecretResolver(() -> snapshot, List.of(new FileSecretProvider(config.secretsFile())));
            System.out.println(dev.plinth.core.auth.DevTokenMinter.mint(snapshot, secrets, userId, Duration.ofSeconds(ttlSeconds),
                    java.time.Instant.now()));
        }
        return 0;
    }
}
