package dev.plinth.datasync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.Firestore;
import java.io.IOException;
import java.time.Duration;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Writes the versioned {@code t_system} seed ({@code seed/t_system.json}, data, not code)
 * into Firestore, once: in one transaction that also records the applied version in
 * {@code system/seed}. A control plane already at that version is left untouched; one at an
 * older version gets the seed merged in (seeded fields reset, other fields kept).
 */
public final class Seeder {

    public static final String SEED_RESOURCE = "seed/t_system.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the seeding did. */
    public record Result(boolean applied, int version, int documents) {}

    private Seeder() {}

    public static Result apply(Firestore db) throws IOException, InterruptedException {
        return apply(db, Duration.ofDays(1));
    }

    /** Applies the seed, failing (IOException) when Firestore has not answered within {@code timeout}. */
    public static Result apply(Firestore db, Duration timeout) throws IOException, InterruptedException {
        JsonNode seed;
        try (InputStream in = Seeder.class.getClassLoader().getResourceAsStream(SEED_RESOURCE)) {
            if (in == null) {
                throw new IOException("seed file " + SEED_RESOURCE + " is not on the classpath");
            }
            seed = JSON.readTree(in);
        }
        int version = seed.path("seed_version").asInt(-1);
        if (version < 1) {
            throw new IOException(SEED_RESOURCE + " has no positive seed_version");
        }
        Map<String, Map<String, Object>> documents = new LinkedHashMap<>();
        // Seed documents obey the same rules as admin writes, derived fields included.
        seed.path("documents").properties().forEach(e -> documents.put(e.getKey(), dev.plinth.datasync.primitive.Kind.normalize(
                e.getKey(), JSON.convertValue(e.getValue(), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}))));
        DocumentReference marker = db.collection("system").document("seed");
        try {
            return db.runTransaction(tx -> {
                DocumentSnapshot applied = tx.get(marker).get();
                Long appliedVersion = applied.exists() ? applied.getLong("version") : null;
                if (appliedVersion != null && appliedVersion >= version) {
                    return new Result(false, appliedVersion.intValue(), 0);
                }
                documents.forEach((path, data) -> tx.set(db.document(path), data, com.google.cloud.firestore.SetOptions.merge()));
                tx.set(marker, Map.of("version", version, "applied_at", com.google.cloud.Timestamp.now()));
                return new Result(true, version, documents.size());
            }).get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("applying the t_system seed: Firestore did not answer within " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw new IOException("applying the t_system seed failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
