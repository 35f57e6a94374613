package dev.plinth.cli;

import dev.plinth.core.bootstrap.BootstrapConfig;
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
        String redisPassword = ensureDevSecrets(config);
        LocalInfra infra = LocalInfra.persistent(config.home(), config.firestoreProject(), InfraTools.fromEnvironment(),
                line -> System.err.println("[plinth] " + line), redisPassword);
        started[0] = infra;
        return config.withEmulatorHost(infra.endpoints().firestoreHost());
    }

    /**
     * The local redis-server's port changes between starts, so on the local default the
     * backend record {@code backends/redis_local} is (re)written with it. Nothing routes to
     * it until a route says so: this only makes the local Redis available as data.
     */
    static void registerLocalRedis(BootstrapConfig config, LocalInfra infra) throws Exception {
        try (var db = dev.plinth.datasync.ControlPlaneStore.connect(config.firestoreProject(), config.firestoreEmulatorHost())) {
            // Its password stays in the dev secrets file; the control plane holds only the mapping.
            db.document("secrets/" + REDIS_PASSWORD).set(java.util.Map.of("provider", "file", "reference", REDIS_PASSWORD)).get();
            db.document("backends/redis_local").set(java.util.Map.of("type", "redis", "status", "active",
                    "secrets", java.util.Map.of("password", REDIS_PASSWORD),
                    "settings", java.util.Map.of("host", "127.0.0.1", "port", infra.endpoints().redisPort()))).get();
        }
        System.err.println("[plinth] local Redis registered as backends/redis_local (port " + infra.endpoints().redisPort()
                + "); route a kind to it with POST /v1/admin/routes");
    }

    /** The logical name (and file entry) of the local redis-server's password. */
    static final String REDIS_PASSWORD = "redis_local_password";

    /**
     * On the local default only: a secrets file with a random dev signing key and a random
     * password for the local redis-server, each made once (an older file gains the password).
     * Elsewhere a missing secrets file is an error, never invented.
     *
     * @return the local redis-server's password
     */
    private static String ensureDevSecrets(BootstrapConfig config) throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode secrets = Files.exists(config.secretsFile())
                ? (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(config.secretsFile().toFile())
                : json.createObjectNode();
        boolean changed = false;
        for (String name : new String[] {"dev_jwt_signing_key", REDIS_PASSWORD}) {
            if (!secrets.path(name).isTextual()) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                secrets.put(name, Base64.getUrlEncoder().withoutPadding().encodeToString(key));
                System.err.println("[plinth] " + config.secretsFile() + ": made a random " + name);
                changed = true;
            }
        }
        if (changed) {
            Files.createDirectories(config.secretsFile().getParent());
            Files.writeString(config.secretsFile(), secrets.toPrettyString() + "\n");
            Files.setPosixFilePermissions(config.secretsFile(), PosixFilePermissions.fromString("rw-------"));
        }
        return secrets.path(REDIS_PASSWORD).asText();
    }
}
