package dev.plinth.core.bootstrap;

import dev.plinth.core.bootstrap.PlinthConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The server's bootstrap configuration: an embedded Plinth's ({@link PlinthConfig}) plus
 * where to listen, the local stack and the listener's bounds.
 *
 * @param host           interface to listen on
 * @param port           HTTP port (0 = any free port)
 * @param home           project-local folder for local infrastructure data, logs and dev secrets
 * @param localInfra     start (or reuse) the local emulator and redis-server under {@code home}
 * @param exportInterval how often the local emulator's data is exported to disk
 * @param limits         the HTTP listener's bounds on requests and connections
 * @param shutdown       how the replica drains when it stops
 * @param logFormat      {@code text} or {@code json} ({@code PLINTH_LOG_FORMAT}, default text)
 * @param plinth         what the in-process Plinth needs (project, emulator, secrets, ready timeout)
 */
public record BootstrapConfig(String host, int port, Path home, boolean localInfra, Duration exportInterval, Limits limits,
                              Shutdown shutdown, String logFormat, PlinthConfig plinth) {

    /** {@code PLINTH_LOG_FORMAT}: {@code text} (one human-readable record per two lines) or {@code json} (one object per line). */
    public static final java.util.Set<String> LOG_FORMATS = java.util.Set.of("text", "json");

    /**
     * How a replica stops (SIGTERM, or {@code close()}): first it answers {@code /health/ready}
     * 503 for {@code drain}, still serving, so a load balancer's health check takes it out of
     * rotation before it stops accepting; then the listener closes and requests in flight get
     * up to {@code grace} to finish.
     *
     * @param drain {@code PLINTH_SHUTDOWN_DRAIN_SECONDS} (default 5)
     * @param grace {@code PLINTH_SHUTDOWN_GRACE_SECONDS} (default 20)
     */
    public record Shutdown(Duration drain, Duration grace) {
        public Shutdown {
            if (drain.isNegative() || grace.isNegative()) {
                throw new IllegalArgumentException("PLINTH_SHUTDOWN_DRAIN_SECONDS and PLINTH_SHUTDOWN_GRACE_SECONDS must not be negative");
            }
        }
    }

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
        Objects.requireNonNull(exportInterval, "exportInterval");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(shutdown, "shutdown");
        if (!LOG_FORMATS.contains(logFormat)) {
            throw new IllegalArgumentException("PLINTH_LOG_FORMAT must be one of " + new java.util.TreeSet<>(LOG_FORMATS) + ", was '" + logFormat + "'");
        }
        Objects.requireNonNull(plinth, "plinth");
    }

    public String firestoreProject() {
        return plinth.firestoreProject();
    }

    public String firestoreEmulatorHost() {
        return plinth.firestoreEmulatorHost();
    }

    public Path secretsFile() {
        return plinth.secretsFile();
    }

    public String gsmEndpoint() {
        return plinth.gsmEndpoint();
    }

    public Duration readyTimeout() {
        return plinth.readyTimeout();
    }

    /** Reads the process environment. */
    public static BootstrapConfig fromEnvironment() {
        return from(System.getenv());
    }

    /**
     * Reads the given variables; unknown ones are ignored. Invalid values fail naming the
     * variable. The server's defaults for the library's settings (project {@code plinth-local},
     * secrets in {@code $PLINTH_HOME/secrets.json}) are filled in before {@link PlinthConfig#from}
     * reads them, so both parse the same variables one way; so is the snapshot directory
     * ({@code $PLINTH_HOME/snapshot}; {@code PLINTH_SNAPSHOT_DIR=} empty turns it off).
     */
    public static BootstrapConfig from(Map<String, String> env) {
        Path home = Path.of(env.getOrDefault("PLINTH_HOME", ".plinth")).toAbsolutePath();
        var withDefaults = new java.util.HashMap<>(env);
        withDefaults.merge("PLINTH_FIRESTORE_PROJECT", "plinth-local", (given, fallback) -> given.isBlank() ? fallback : given);
        withDefaults.merge("PLINTH_SECRETS_FILE", home.resolve("secrets.json").toString(),
                (given, fallback) -> given.isBlank() ? fallback : given);
        // On by default for a server: a restart resumes from it, a start during an outage can serve it.
        // An explicit empty value turns it off.
        withDefaults.putIfAbsent("PLINTH_SNAPSHOT_DIR", home.resolve("snapshot").toString());
        PlinthConfig plinth = PlinthConfig.from(withDefaults);
        boolean local = Boolean.parseBoolean(env.getOrDefault("PLINTH_LOCAL_INFRA",
                plinth.firestoreEmulatorHost() == null ? "true" : "false"));
        return new BootstrapConfig(
                env.getOrDefault("PLINTH_HOST", "127.0.0.1"),
                parseInt(env, "PLINTH_PORT", DEFAULT_PORT),
                home,
                local,
                Duration.ofSeconds(parseInt(env, "PLINTH_EXPORT_INTERVAL_SECONDS", 15)),
                new Limits(parseInt(env, "PLINTH_MAX_BODY_BYTES", 16 * 1024 * 1024), parseInt(env, "PLINTH_MAX_JSON_BYTES", 2 * 1024 * 1024),
                        parseInt(env, "PLINTH_MAX_HEADER_BYTES", 16 * 1024), Duration.ofSeconds(parseInt(env, "PLINTH_IDLE_TIMEOUT_SECONDS", 120)),
                        Duration.ofSeconds(parseInt(env, "PLINTH_HEADER_TIMEOUT_SECONDS", 10)), parseInt(env, "PLINTH_MAX_CONNECTIONS", 1024)),
                new Shutdown(Duration.ofSeconds(parseInt(env, "PLINTH_SHUTDOWN_DRAIN_SECONDS", 5)),
                        Duration.ofSeconds(parseInt(env, "PLINTH_SHUTDOWN_GRACE_SECONDS", 20))),
                env.getOrDefault("PLINTH_LOG_FORMAT", "text").trim(),
                plinth);
    }

    public BootstrapConfig withPort(int newPort) {
        return new BootstrapConfig(host, newPort, home, localInfra, exportInterval, limits, shutdown, logFormat, plinth);
    }

    public BootstrapConfig withEmulatorHost(String emulatorHost) {
        return new BootstrapConfig(host, port, home, localInfra, exportInterval, limits, shutdown, logFormat,
                plinth.withEmulator(emulatorHost));
    }

    private static int parseInt(Map<String, String> env, String name, int fallback) {
        return PlinthConfig.integer(env, name, fallback);
    }

}
