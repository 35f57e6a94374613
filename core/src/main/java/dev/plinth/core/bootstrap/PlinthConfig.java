package dev.plinth.core.bootstrap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What an embedded Plinth needs, and nothing a server needs (host, port, home, the local
 * stack's export interval live in the server's {@code BootstrapConfig}, which holds one of
 * these). Read from the same {@code PLINTH_*} variables by {@link #from}, one parser for
 * both; missing or invalid values fail naming the variable.
 *
 * @param firestoreProject      the control-plane Firestore project id ({@code PLINTH_FIRESTORE_PROJECT})
 * @param firestoreDatabase     the control plane's database in that project ({@code PLINTH_FIRESTORE_DATABASE}, default
 *                              {@code (default)})
 * @param firestoreEmulatorHost {@code host:port} of a Firestore emulator, or null for real Firestore
 *                              ({@code PLINTH_FIRESTORE_EMULATOR_HOST})
 * @param secretsFile           the {@code file} secret provider's JSON file ({@code PLINTH_SECRETS_FILE})
 * @param gsmEndpoint           {@code host:port} of a plaintext Secret Manager v1 server, or null for
 *                              Google's ({@code PLINTH_GSM_ENDPOINT})
 * @param readyTimeout          how long {@code Plinth.connect} waits for the first complete snapshot
 *                              ({@code PLINTH_READY_TIMEOUT_SECONDS}, default 120)
 * @param snapshotDir           where the replica keeps its last complete control-plane snapshot, to restart from it
 *                              and to start while Firestore is down ({@code PLINTH_SNAPSHOT_DIR}); null: not kept
 *                              (the server's default is {@code $PLINTH_HOME/snapshot})
 * @param snapshotInterval      how often that file is brought up to date ({@code PLINTH_SNAPSHOT_INTERVAL_SECONDS}, default 30)
 */
public record PlinthConfig(String firestoreProject, String firestoreDatabase, String firestoreEmulatorHost, Path secretsFile,
                           String gsmEndpoint, Duration readyTimeout, Path snapshotDir, Duration snapshotInterval) {

    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofSeconds(30);
    public static final String DEFAULT_DATABASE = "(default)";

    public PlinthConfig {
        if (firestoreProject == null || firestoreProject.isBlank()) {
            throw new IllegalArgumentException("PLINTH_FIRESTORE_PROJECT must name the control-plane project");
        }
        Objects.requireNonNull(secretsFile, "PLINTH_SECRETS_FILE (the secrets file) is required");
        secretsFile = secretsFile.toAbsolutePath();
        Objects.requireNonNull(readyTimeout, "readyTimeout");
        if (readyTimeout.isNegative() || readyTimeout.isZero()) {
            throw new IllegalArgumentException("PLINTH_READY_TIMEOUT_SECONDS must be positive, was " + readyTimeout.toSeconds());
        }
        snapshotDir = snapshotDir == null ? null : snapshotDir.toAbsolutePath();
        firestoreDatabase = firestoreDatabase == null || firestoreDatabase.isBlank() ? DEFAULT_DATABASE : firestoreDatabase;
        Objects.requireNonNull(snapshotInterval, "snapshotInterval");
        if (snapshotInterval.isNegative() || snapshotInterval.isZero()) {
            throw new IllegalArgumentException("PLINTH_SNAPSHOT_INTERVAL_SECONDS must be positive, was " + snapshotInterval.toSeconds());
        }
    }

    /** Real Firestore, Google's Secret Manager, the default ready timeout. */
    public static PlinthConfig of(String firestoreProject, Path secretsFile) {
        return new PlinthConfig(firestoreProject, null, null, secretsFile, null, DEFAULT_READY_TIMEOUT, null, DEFAULT_SNAPSHOT_INTERVAL);
    }

    /** The control plane on a Firestore emulator instead (not for production: Plinth logs a warning). */
    public PlinthConfig withEmulator(String hostAndPort) {
        return new PlinthConfig(firestoreProject, firestoreDatabase, hostAndPort, secretsFile, gsmEndpoint, readyTimeout, snapshotDir, snapshotInterval);
    }

    public PlinthConfig withGsmEndpoint(String hostAndPort) {
        return new PlinthConfig(firestoreProject, firestoreDatabase, firestoreEmulatorHost, secretsFile, hostAndPort, readyTimeout, snapshotDir,
                snapshotInterval);
    }

    public PlinthConfig withReadyTimeout(Duration timeout) {
        return new PlinthConfig(firestoreProject, firestoreDatabase, firestoreEmulatorHost, secretsFile, gsmEndpoint, timeout, snapshotDir, snapshotInterval);
    }

    /** The control plane in a named database of the project. */
    public PlinthConfig withDatabase(String database) {
        return new PlinthConfig(firestoreProject, database, firestoreEmulatorHost, secretsFile, gsmEndpoint, readyTimeout, snapshotDir,
                snapshotInterval);
    }

    /** Keeps the last complete snapshot in {@code directory} (null: not kept). */
    public PlinthConfig withSnapshotDir(Path directory) {
        return new PlinthConfig(firestoreProject, firestoreDatabase, firestoreEmulatorHost, secretsFile, gsmEndpoint, readyTimeout, directory, snapshotInterval);
    }

    /** Reads the process environment. */
    public static PlinthConfig fromEnvironment() {
        return from(System.getenv());
    }

    /** Reads the given variables (others are ignored); {@code PLINTH_FIRESTORE_PROJECT} and {@code PLINTH_SECRETS_FILE} are required. */
    public static PlinthConfig from(Map<String, String> env) {
        String project = blankToNull(env.get("PLINTH_FIRESTORE_PROJECT"));
        String secrets = blankToNull(env.get("PLINTH_SECRETS_FILE"));
        if (project == null) {
            throw new IllegalArgumentException("PLINTH_FIRESTORE_PROJECT is not set: name the control-plane Firestore project");
        }
        if (secrets == null) {
            throw new IllegalArgumentException("PLINTH_SECRETS_FILE is not set: name the secrets file (JSON, logical name -> value)");
        }
        return new PlinthConfig(project, blankToNull(env.get("PLINTH_FIRESTORE_DATABASE")),
                blankToNull(env.get("PLINTH_FIRESTORE_EMULATOR_HOST")), Path.of(secrets),
                blankToNull(env.get("PLINTH_GSM_ENDPOINT")),
                Duration.ofSeconds(integer(env, "PLINTH_READY_TIMEOUT_SECONDS", (int) DEFAULT_READY_TIMEOUT.toSeconds())),
                blankToNull(env.get("PLINTH_SNAPSHOT_DIR")) == null ? null : Path.of(env.get("PLINTH_SNAPSHOT_DIR").trim()),
                Duration.ofSeconds(integer(env, "PLINTH_SNAPSHOT_INTERVAL_SECONDS", (int) DEFAULT_SNAPSHOT_INTERVAL.toSeconds())));
    }

    /** An integer variable, or the fallback when unset; anything else fails naming it. */
    public static int integer(Map<String, String> env, String name, int fallback) {
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

    static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v;
    }
}
