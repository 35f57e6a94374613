package dev.plinth.api.cli;

import dev.plinth.api.bootstrap.BootstrapConfig;
import dev.plinth.infra.LocalInfra;
import dev.plinth.infra.bootstrap.InfraTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** What {@code run} and {@code token} share: the local infrastructure and the dev secrets file. */
final class LocalStack {
    private LocalStack() {}

    /** Starts or finds the local servers when the config asks for them; answers the config to use. */
    static BootstrapConfig prepare(BootstrapConfig config, LocalInfra[] started) throws IOException {
        if (!config.localInfra()) {
            return config;
        }
        LocalInfra infra = LocalInfra.persistent(config.home(), config.firestoreProject(), InfraTools.fromEnvironment(),
                line -> System.err.println("[plinth] " + line));
        started[0] = infra;
        ensureDevSecrets(config);
        return config.withEmulatorHost(infra.endpoints().firestoreHost());
    }

    /**
     * The local redis-server's port changes between starts, so on the local default the
     * backend record {@code backends/redis_local} is (re)written with it. Nothing routes to
     * it until a route says so: this only makes the local Redis available as data.
     */
    static void registerLocalRedis(BootstrapConfig config, LocalInfra infra) throws Exception {
        try (var db = dev.plinth.datasync.ControlPlaneStore.connect(config.firestoreProject(), config.firestoreEmulatorHost())) {
            db.document("backends/redis_local").set(java.util.Map.of("type", "redis", "status", "active", "secrets", java.util.Map.of(),
                    "settings", java.util.Map.of("host", "127.0.0.1", "port", infra.endpoints().redisPort()))).get();
        }
        System.err.println("[plinth] local Redis registered as backends/redis_local (port " + infra.endpoints().redisPort()
                + "); route a kind to it with POST /v1/admin/routes");
    }

    /**
     * On the local default only: a secrets file with a random dev signing key, made once.
     * Elsewhere a missing secrets file is an error, never invented.
     */
    private static void ensureDevSecrets(BootstrapConfig config) throws IOException {
        if (Files.exists(config.secretsFile())) {
            return;
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.createDirectories(config.secretsFile().getParent());
        Files.writeString(config.secretsFile(),
                "{\"dev_jwt_signing_key\": \"" + Base64.getEncoder().encodeToString(key) + "\"}\n");
        Files.setPosixFilePermissions(config.secretsFile(), PosixFilePermissions.fromString("rw-------"));
        System.err.println("[plinth] created " + config.secretsFile() + " with a random dev signing key");
    }
}
