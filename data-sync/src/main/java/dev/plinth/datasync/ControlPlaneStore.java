package dev.plinth.datasync;

import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import java.util.Objects;

/** Opens the control plane's Firestore client. */
public final class ControlPlaneStore {
    private ControlPlaneStore() {}

    /**
     * @param projectId    the control-plane Firestore project
     * @param emulatorHost {@code host:port} of an emulator, or null for real Firestore
     *                     (application default credentials)
     */
    public static Firestore connect(String projectId, String emulatorHost) {
        Objects.requireNonNull(projectId, "projectId");
        var options = FirestoreOptions.newBuilder().setProjectId(projectId);
        if (emulatorHost != null) {
            // Only the emulator host: adding NoCredentials makes the client dial Google (FACTS.md).
            options.setEmulatorHost(emulatorHost);
        }
        return options.build().getService();
    }
}
