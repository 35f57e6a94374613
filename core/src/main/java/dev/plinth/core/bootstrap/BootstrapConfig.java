package dev.plinth.core.bootstrap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The complete bootstrap configuration: where the control plane is and where to listen.
 *
 * @param host                 interface to listen on
 * @param port                 HTTP port (0 = any free port)
 * @param home                 project-local folder for local infrastructure data, logs and dev secrets
 * @param firestoreProject     the control-plane Firestore project id
 * @param firestoreEmulatorHost {@code host:port} of a Firestore emulator, or null
 * @param localInfra           start (or reuse) the local emulator and redis-server under {@code home}
 * @param secretsFile          the {@code file} secret provider's JSON file
 * @param exportInterval       how often the local emulator's data is exported to disk
 * @param gsmEndpoint          {@code host:port} of a plaintext Secret Manager v1 server, or null for Google's
 * @param readyTimeout         how long start-up waits for the first complete control-plane snapshot
 * @param limits               the HTTP listener's bounds on requests and connections
 */
public record BootstrapConfig(String host, int port, Path home, String firestoreProject,
                              String firestoreEmulatorHost, boolean localInfra, Path secretsFile,
                              Duration exportInterval, String gsmEndpoint, Duration readyTimeout, Limits limits) {

    /**
     * Bounds on what one client can make the server hold.
     *
     * @param maxBodyBytes   largest request body of any route (a policy bundle); larger is 413
     * @param maxJsonBytes   largest JSON request body; larger is 413 before it is parsed
     * @param maxHeaderBytes largest request header block; larger is 431
     * @param idleTimeout    a connection without traffic for this long (kept alive, or stalled in its request line) is closed
     * @param headerTimeout  a request whose headers are not complete this long after its request line is closed
     * @param maxConnections connections served at once; more wait in the accept backlog until one closes
     */
    public record Limits(long maxBodyBytes, long maxJsonBytes, int maxHeaderBytes, Duration idleTimeout, Duration headerTimeout,
                         int maxConnections) {
        public Limits {
            positive("PLINTH_HEADER_TIMEOUT_SECONDS", headerTimeout.toSeconds());
            positive("PLINTH_MAX_BODY_BYTES", maxBodyBytes);
            positive("PLINTH_MAX_JSON_BYTES", maxJsonBytes);
            positive("PLINTH_MAX_HEADER_BYTES", maxHeaderBytes);
            positive("PLINTH_IDLE_TIMEOUT_SECONDS", idleTimeout.toSeconds());
            positive("PLINTH_MAX_CONNECTIONS", maxConnections);
            if (maxJsonBytes > maxBodyBytes) {
                throw new IllegalArgumentException("PLINTH_MAX_JSON_BYTES (" + maxJsonBytes + ") must not exceed PLINTH_MAX_BODY_BYTES ("
                        + maxBodyBytes + ")");
            }
        }

        private static void positive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
        }
    }

    public static final int DEFAULT_PORT = 8080;

    public BootstrapConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("PLINTH_PORT must be 0..65535, was " + port);
        }
        Objects.requireNonNull(home, "home");
        if (firestoreProject == null || firestoreProject.isBlank()) {
            throw new IllegalArgumentException("PLINTH_FIRESTORE_PROJECT must name the control-plane project");
        }
        Objects.requireNonNull(secretsFile, "secretsFile");
        Objects.requireNonNull(exportInterval, "exportInterval");
        Objects.requireNonNull(limits, "limits");
    }

    /** Reads the process environment. */
    public static BootstrapConfig fromEnvironment() {
        return from(System.getenv());
    }

    /** Reads the given variables; unknown ones are ignored. Invalid values fail naming the variable. */
    public static BootstrapConfig from(Map<String, String> env) {
        Path home = Path.of(env.getOrDefault("PLINTH_HOME", ".plinth")).toAbsolutePath();
        String emulator = blankToNull(env.get("PLINTH_FIRESTORE_EMULATOR_HOST"));
        boolean local = Boolean.parseBoolean(env.getOrDefault("PLINTH_LOCAL_INFRA", emulator == null ? "true" : "false"));
        return new BootstrapConfig(
                env.getOrDefault("PLINTH_HOST", "127.0.0.1"),
                parseInt(env, "PLINTH_PORT", DEFAULT_PORT),
                home,
                env.getOrDefault("PLINTH_FIRESTORE_PROJECT", "plinth-local"),
                emulator,
                local,
                Path.of(env.getOrDefault("PLINTH_SECRETS_FILE", home.resolve("secrets.json").toString())).toAbsolutePath(),
                Duration.ofSeconds(parseInt(env, "PLINTH_EXPORT_INTERVAL_SECONDS", 15)),
                blankToNull(env.get("PLINTH_GSM_ENDPOINT")),
                Duration.ofSeconds(parseInt(env, "PLINTH_READY_TIMEOUT_SECONDS", 120)),
                new Limits(parseInt(env, "PLINTH_MAX_BODY_BYTES", 16 * 1024 * 1024), parseInt(env, "PLINTH_MAX_JSON_BYTES", 2 * 1024 * 1024),
                        parseInt(env, "PLINTH_MAX_HEADER_BYTES", 16 * 1024), Duration.ofSeconds(parseInt(env, "PLINTH_IDLE_TIMEOUT_SECONDS", 120)),
                        Duration.ofSeconds(parseInt(env, "PLINTH_HEADER_TIMEOUT_SECONDS", 10)), parseInt(env, "PLINTH_MAX_CONNECTIONS", 1024)));
    }

    public BootstrapConfig withPort(int newPort) {
        return new BootstrapConfig(host, newPort, home, firestoreProject, firestoreEmulatorHost, localInfra, secretsFile,
                exportInterval, gsmEndpoint, readyTimeout, limits);
    }

    public BootstrapConfig withEmulatorHost(String emulatorHost) {
        return new BootstrapConfig(host, port, home, firestoreProject, emulatorHost, localInfra, secretsFile,
                exportInterval, gsmEndpoint, readyTimeout, limits);
    }

    private static int parseInt(Map<String, String> env, String name, int fallback) {
        String v = blankToNull(env.get(name));
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + v + "'");
        }
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v;
    }
}
