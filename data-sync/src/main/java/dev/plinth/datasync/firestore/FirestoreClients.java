package dev.plinth.datasync.firestore;

import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import java.util.Objects;

/** Opens Firestore clients, for the control plane and for Firestore-backed resource stores alike. */
public final class FirestoreClients {

    private FirestoreClients() {}

    /**
     * @param projectId    the Firestore project
     * @param databaseId   a named database, or null for {@code (default)}
     * @param emulatorHost {@code host:port} of an emulator, or null for real Firestore
     *                     (application default credentials)
     */
    public static Firestore open(String projectId, String databaseId, String emulatorHost) {
        Objects.requireNonNull(projectId, "projectId");
        var options = FirestoreOptions.newBuilder().setProjectId(projectId);
        if (databaseId != null) {
            options.setDatabaseId(databaseId);
        }
        if (emulatorHost != null) {
            // Only the emulator host: adding NoCredentials makes the client dial Google (FACTS.md).
            options.setEmulatorHost(emulatorHost);
        }
        return options.build().getService();
    }
}
