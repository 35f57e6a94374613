package dev.plinth.backends;

import com.google.cloud.firestore.CollectionReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.FieldPath;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import com.google.cloud.firestore.Query;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Resources as Firestore documents at
 * {@code <collection>/<tenant>/envs/<env>/kinds/<kind>/items/<key>}, holding the JSON text
 * in {@code value}. The project and database come from the backend's settings (the project
 * defaults to the control plane's).
 */
final class FirestoreResourceStore implements ResourceStore {

    private final Firestore db;
    private final String collection;
    private final String name;

    FirestoreResourceStore(String backendId, String projectId, String database, String collection, String emulatorHost) {
        var options = FirestoreOptions.newBuilder().setProjectId(projectId).setDatabaseId(database);
        if (emulatorHost != null) {
            options.setEmulatorHost(emulatorHost);
        }
        this.db = options.build().getService();
        this.collection = collection;
        this.name = "backend " + backendId;
    }

    private CollectionReference items(Partition p) {
        return db.collection(collection).document(p.tenantId()).collection("envs").document(p.env())
                .collection("kinds").document(p.kind()).collection("items");
    }

    @Override
    public Optional<String> get(Partition p, String key) {
        DocumentSnapshot d = call(() -> items(p).document(Partition.checkKey(key)).get().get(10, TimeUnit.SECONDS));
        return d.exists() ? Optional.ofNullable(d.getString("value")) : Optional.empty();
    }

    @Override
    public void put(Partition p, String key, String json) {
        call(() -> items(p).document(Partition.checkKey(key)).set(Map.of("value", json)).get(10, TimeUnit.SECONDS));
    }

    @Override
    public boolean delete(Partition p, String key) {
        var ref = items(p).document(Partition.checkKey(key));
        return call(() -> db.runTransaction(tx -> {
            boolean existed = tx.get(ref).get().exists();
            tx.delete(ref);
            return existed;
        }).get(10, TimeUnit.SECONDS));
    }

    @Override
    public List<Item> list(Partition p, String prefix, String startAfter, int limit) {
        Query q = items(p).orderBy(FieldPath.documentId());
        if (startAfter != null && startAfter.compareTo(prefix) >= 0) {
            q = q.startAfter(Partition.checkKey(startAfter));
        } else if (!prefix.isEmpty()) {
            q = q.startAt(prefix);
        }
        if (!prefix.isEmpty()) {
            // Every key with the prefix sorts before prefix + U+F8FF.
            q = q.endAt(prefix + "\uf8ff");
        }
        Query query = q.limit(limit);
        var out = new ArrayList<Item>();
        for (DocumentSnapshot d : call(() -> query.get().get(10, TimeUnit.SECONDS)).getDocuments()) {
            out.add(new Item(d.getId(), d.getString("value")));
        }
        return out;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws Exception;
    }

    private <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (ExecutionException | TimeoutException e) {
            throw new StoreException.BackendUnavailable(name + " (firestore) failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException.BackendUnavailable(name + ": interrupted", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException.BackendUnavailable(name + " (firestore) failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (Exception ignored) {
            // closing a client that lost its channel is not worth failing over
        }
    }
}
