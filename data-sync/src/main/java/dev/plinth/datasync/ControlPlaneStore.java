package dev.plinth.datasync;

import com.google.cloud.firestore.Firestore;

/** Opens the control plane's Firestore client. */
public final class ControlPlaneStore {
    private ControlPlaneStore() {}

    /**
     * @param projectId    the control-plane Firestore project
     * @param emulatorHost {@code host:port} of an emulator, or null for real Firestore
     *                     (application default credentials)
     */
    public static Firestore connect(String projectId, String emulatorHost) {
        return connect(projectId, null, emulatorHost);
    }

    /** @param databaseId a named database of the project, or null for {@code (default)} */
    public static Firestore connect(String projectId, String databaseId, String emulatorHost) {
        return dev.plinth.datasync.firestore.FirestoreClients.open(projectId, databaseId, emulatorHost);
    }
}
