package dev.plinth.datasync.bundles;

import com.google.cloud.Timestamp;
import com.google.cloud.firestore.Blob;
import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.ListenerRegistration;
import dev.plinth.datasync.admin.AdminException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Stores bundles and the active pointer. A bundle is written chunked (900 KB per chunk, under
 * Firestore's 1 MiB document limit) in one batch with its sha256; reading verifies it.
 * Activation and rollback are one transaction on {@code policy/active}
 * ({@code {name, revision, previous}}); replicas follow that document.
 */
public final class BundleStore {

    private static final int CHUNK = 900 * 1024;

    /** The active bundle pointer; {@code name} null means the built-in bundle. */
    public record Active(String name, String revision, String previousName, String previousRevision) {}

    private final Firestore db;

    public BundleStore(Firestore db) {
        this.db = db;
    }

    private DocumentReference bundle(String name) {
        return db.collection("policy_bundles").document(name);
    }

    private DocumentReference active() {
        return db.collection("policy").document("active");
    }

    /** Stores (or replaces) a validated bundle's bytes. */
    public void put(String name, String revision, List<String> entrypoints, byte[] bytes, String actor) {
        try {
            var batch = db.batch();
            int chunks = (bytes.length + CHUNK - 1) / CHUNK;
            batch.set(bundle(name), Map.of("revision", revision, "entrypoints", entrypoints, "sha256", sha256(bytes),
                    "size", bytes.length, "chunks", chunks, "uploaded_by", actor == null ? "" : actor,
                    "uploaded_at", Timestamp.now()));
            for (int i = 0; i < chunks; i++) {
                int from = i * CHUNK;
                batch.set(bundle(name).collection("chunks").document(String.format("%05d", i)),
                        Map.of("data", Blob.fromBytes(java.util.Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + CHUNK)))));
            }
            batch.commit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AdminException.Unavailable("storing bundle " + name + " failed: " + e.getMessage());
        }
    }

    /** The bundle's bytes, verified against its sha256. */
    public byte[] read(String name) {
        try {
            DocumentSnapshot meta = bundle(name).get().get(10, TimeUnit.SECONDS);
            if (!meta.exists()) {
                throw new AdminException.NotFound("policy_bundles/" + name);
            }
            var out = new java.io.ByteArrayOutputStream();
            for (DocumentSnapshot chunk : bundle(name).collection("chunks").orderBy(com.google.cloud.firestore.FieldPath.documentId())
                    .get().get(10, TimeUnit.SECONDS).getDocuments()) {
                out.write(chunk.getBlob("data").toBytes());
            }
            byte[] bytes = out.toByteArray();
            if (!sha256(bytes).equals(meta.getString("sha256"))) {
                throw new AdminException.Invalid(List.of("policy_bundles/" + name + " does not match its sha256"));
            }
            return bytes;
        } catch (AdminException e) {
            throw e;
        } catch (Exception e) {
            throw new AdminException.Unavailable("reading bundle " + name + " failed: " + e.getMessage());
        }
    }

    /**
     * Runs a change of {@code policy/active} once per idempotency key: the key's record
     * ({@code policy_writes/idem-<id>}, in the same transaction) holds the outcome a retry answers.
     */
    private Active once(com.google.cloud.firestore.Transaction tx, dev.plinth.datasync.admin.AdminStore.Idempotency idem,
                        TxChange change) throws Exception {
        if (idem == null) {
            return change.apply();
        }
        DocumentReference record = db.collection("policy_writes").document("idem-" + idem.id());
        DocumentSnapshot earlier = tx.get(record).get();
        if (earlier.exists()) {
            if (!idem.digest().equals(earlier.getString("digest"))) {
                throw new AdminException.IdempotencyConflict("the Idempotency-Key was used for a different request");
            }
            return new Active(earlier.getString("name"), earlier.getString("revision"), earlier.getString("previous_name"),
                    earlier.getString("previous_revision"));
        }
        Active next = change.apply();
        var fields = new java.util.HashMap<String, Object>(map(next));
        fields.put("digest", idem.digest());
        tx.set(record, fields);
        return next;
    }

    @FunctionalInterface
    private interface TxChange {
        Active apply() throws Exception;
    }

    /** Makes {@code name} active (null: the built-in bundle), remembering the previous one for rollback. */
    public Active activate(String name) {
        return activate(name, null);
    }

    /** As {@link #activate(String)}; with {@code idem}, a retry answers the first outcome and changes nothing. */
    public Active activate(String name, dev.plinth.datasync.admin.AdminStore.Idempotency idem) {
        try {
            String revision = null;
            if (name != null) {
                DocumentSnapshot meta = bundle(name).get().get(10, TimeUnit.SECONDS);
                if (!meta.exists()) {
                    throw new AdminException.NotFound("policy_bundles/" + name);
                }
                revision = meta.getString("revision");
            }
            String rev = revision;
            return db.runTransaction(tx -> {
                DocumentSnapshot current = tx.get(active()).get();
                return once(tx, idem, () -> {
                    var next = new Active(name, rev, current.getString("name"), current.getString("revision"));
                    tx.set(active(), map(next));
                    return next;
                });
            }).get(30, TimeUnit.SECONDS);
        } catch (AdminException e) {
            throw e;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AdminException ae) {
                throw ae;
            }
            throw new AdminException.Unavailable("activating bundle " + name + " failed: " + e.getMessage());
        } catch (Exception e) {
            throw new AdminException.Unavailable("activating bundle " + name + " failed: " + e.getMessage());
        }
    }

    /** Swaps the active and the previous bundle. */
    public Active rollback() {
        return rollback(null);
    }

    /** As {@link #rollback()}; with {@code idem}, a retry answers the first rollback instead of swapping back. */
    public Active rollback(dev.plinth.datasync.admin.AdminStore.Idempotency idem) {
        try {
            return db.runTransaction(tx -> {
                DocumentSnapshot current = tx.get(active()).get();
                return once(tx, idem, () -> {
                    if (!current.exists() || current.getString("name") == null && current.getString("previous_name") == null) {
                        // 409, not 400: the request is well-formed, the stored state has nothing to return to.
                        throw new AdminException.StateConflict("NO_PREVIOUS_BUNDLE", "there is no previous bundle to roll back to");
                    }
                    var next = new Active(current.getString("previous_name"), current.getString("previous_revision"),
                            current.getString("name"), current.getString("revision"));
                    tx.set(active(), map(next));
                    return next;
                });
            }).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AdminException ae) {
                throw ae;
            }
            throw new AdminException.Unavailable("rollback failed: " + e.getMessage());
        } catch (Exception e) {
            throw new AdminException.Unavailable("rollback failed: " + e.getMessage());
        }
    }

    /** The active pointer as stored now. */
    public Active current() {
        try {
            DocumentSnapshot snap = active().get().get(10, TimeUnit.SECONDS);
            return snap.exists() ? new Active(snap.getString("name"), snap.getString("revision"),
                    snap.getString("previous_name"), snap.getString("previous_revision")) : new Active(null, null, null, null);
        } catch (Exception e) {
            throw new AdminException.Unavailable("reading policy/active failed: " + e.getMessage());
        }
    }

    /** Calls {@code onChange} with the active pointer now and on every change. */
    public ListenerRegistration follow(Consumer<Active> onChange) {
        return active().addSnapshotListener((snap, error) -> {
            if (error != null || snap == null) {
                return;
            }
            onChange.accept(snap.exists()
                    ? new Active(snap.getString("name"), snap.getString("revision"), snap.getString("previous_name"),
                    snap.getString("previous_revision"))
                    : new Active(null, null, null, null));
        });
    }

    private static Map<String, Object> map(Active a) {
        var m = new java.util.HashMap<String, Object>();
        m.put("name", a.name());
        m.put("revision", a.revision());
        m.put("previous_name", a.previousName());
        m.put("previous_revision", a.previousRevision());
        m.put("activated_at", Timestamp.now());
        return m;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
