package dev.plinth.core.policies;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.datasync.bundles.BundleStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The active policy bundle kept beside the snapshot file: which bundle {@code policy/active}
 * named and its bytes. A replica that starts while Firestore is down and serves its
 * snapshot file must decide with the bundle that was active, never the built-in one. The
 * bytes are the ones a switch loaded and checked; a file whose bytes no longer hash to the
 * recorded digest is ignored.
 */
public final class PersistedBundle {

    private static final Logger LOG = Logger.getLogger(PersistedBundle.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A kept bundle: the pointer and, unless it names the built-in bundle, its bytes. */
    public record Kept(BundleStore.Active active, byte[] bytes) {}

    private final Path pointer;
    private final Path bytes;

    public PersistedBundle(Path directory, String project) {
        this.pointer = directory.resolve("active-bundle-" + project + ".json");
        this.bytes = directory.resolve("active-bundle-" + project + ".tar.gz");
    }

    /** Keeps the bundle now active (bytes null for the built-in one); a failure is logged, the replica serves on. */
    public void save(BundleStore.Active active, byte[] bundle) {
        try {
            Files.createDirectories(pointer.getParent());
            if (bundle != null) {
                write(bytes, bundle);
            }
            Map<String, Object> m = new HashMap<>();
            m.put("name", active.name());
            m.put("revision", active.revision());
            m.put("previous_name", active.previousName());
            m.put("previous_revision", active.previousRevision());
            m.put("sha256", bundle == null ? null : sha256(bundle));
            write(pointer, JSON.writeValueAsBytes(m));
        } catch (IOException e) {
            LOG.warning("could not keep the active bundle in " + pointer.getParent() + ": " + e.getMessage());
        }
    }

    public Optional<Kept> load() {
        try {
            if (!Files.exists(pointer)) {
                return Optional.empty();
            }
            var m = JSON.readTree(pointer.toFile());
            var active = new BundleStore.Active(text(m, "name"), text(m, "revision"), text(m, "previous_name"), text(m, "previous_revision"));
            if (active.name() == null) {
                return Optional.of(new Kept(active, null));
            }
            byte[] b = Files.readAllBytes(bytes);
            if (!sha256(b).equals(text(m, "sha256"))) {
                LOG.warning("the kept bundle " + bytes + " does not match its recorded digest; not used");
                return Optional.empty();
            }
            return Optional.of(new Kept(active, b));
        } catch (IOException | RuntimeException e) {
            LOG.warning("the kept active bundle in " + pointer.getParent() + " cannot be read: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode m, String field) {
        return m.path(field).isTextual() ? m.path(field).asText() : null;
    }

    private static void write(Path to, byte[] content) throws IOException {
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
