package dev.plinth.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * An OPA wasm bundle as made by {@code opa build -t wasm}: its manifest revision, the
 * wasm entrypoints it declares, the compiled module and its bundled data.
 *
 * @param revision    the manifest's revision qualified by the content's digest
 *                    ({@code <manifest revision>+sha256:<16 hex>}, or {@code sha256:<16 hex>} when the
 *                    manifest names none): two different bundles never share a revision, so a
 *                    replica can tell them apart ({@code opa build} without {@code --revision}
 *                    gives every bundle the revision "")
 * @param entrypoints the wasm entrypoints the manifest declares, e.g. {@code plinth/authz/decision}
 * @param wasm        the compiled {@code policy.wasm}
 * @param data        the bundle's {@code data.json} ({@code {}} when absent)
 * @param files       every file of the archive by path (no leading slash), for signature checks
 */
public record Bundle(String revision, List<String> entrypoints, byte[] wasm, JsonNode data, Map<String, byte[]> files) {

    /** The resource name of the built-in bundle, built from {@code policy/rego} by the build. */
    public static final String BUILTIN_RESOURCE = "plinth/policy/builtin-bundle.tar.gz";

    private static final ObjectMapper JSON = new ObjectMapper();
    // Limits against decompression bombs; the built-in bundle is ~350 KB unpacked.
    private static final long MAX_ENTRY_BYTES = 32L * 1024 * 1024;
    private static final long MAX_TOTAL_BYTES = 64L * 1024 * 1024;
    private static final int MAX_ENTRIES = 1_000;

    public Bundle {
        Objects.requireNonNull(revision, "revision");
        entrypoints = List.copyOf(entrypoints);
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(data, "data");
        files = Map.copyOf(files);
    }

    /** Loads the built-in bundle that the build packaged from {@code policy/rego}. */
    public static Bundle builtin() {
        try (InputStream in = Bundle.class.getClassLoader().getResourceAsStream(BUILTIN_RESOURCE)) {
            if (in == null) {
                throw new EngineException.InvalidBundle(
                        "built-in bundle " + BUILTIN_RESOURCE + " is not on the classpath; build with ./plinth");
            }
            return read(in);
        } catch (IOException e) {
            throw new EngineException.InvalidBundle("cannot read built-in bundle", e);
        }
    }

    /** Reads a gzipped tar bundle. */
    public static Bundle read(InputStream tarGz) {
        Map<String, byte[]> files = new HashMap<>();
        try (var tar = new TarArchiveInputStream(new GzipCompressorInputStream(tarGz))) {
            TarArchiveEntry entry;
            int count = 0;
            long total = 0;
            while ((entry = tar.getNextEntry()) != null) {
                if (++count > MAX_ENTRIES) {
                    throw new EngineException.InvalidBundle("bundle has more than " + MAX_ENTRIES + " entries");
                }
                if (!entry.isFile()) {
                    continue;
                }
                // opa build writes "/policy.wasm": one leading slash is the bundle root, not the filesystem's.
                String name = entry.getName().startsWith("/") ? entry.getName().substring(1) : entry.getName();
                if (name.startsWith("/") || name.contains("..") || name.contains("\\") || name.isEmpty()) {
                    throw new EngineException.InvalidBundle("bundle entry escapes the bundle root: " + entry.getName());
                }
                if (files.containsKey(name)) {
                    // A tar may hold a path twice; which one a reader keeps is up to the reader.
                    throw new EngineException.InvalidBundle("bundle holds " + name + " twice");
                }
                byte[] content = readBounded(tar, name);
                total += content.length;
                if (total > MAX_TOTAL_BYTES) {
                    throw new EngineException.InvalidBundle("bundle unpacks to more than " + MAX_TOTAL_BYTES + " bytes");
                }
                files.put(name, content);
            }
        } catch (IOException e) {
            throw new EngineException.InvalidBundle("bundle is not a readable tar.gz: " + e.getMessage(), e);
        }
        return fromFiles(files);
    }

    private static byte[] readBounded(InputStream in, String name) throws IOException {
        var out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > MAX_ENTRY_BYTES) {
                throw new EngineException.InvalidBundle("bundle entry " + name + " exceeds " + MAX_ENTRY_BYTES + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** The digest of the bundle's content: every file but the signatures, by path. */
    private static String digest(Map<String, byte[]> files) {
        try {
            var sha = java.security.MessageDigest.getInstance("SHA-256");
            for (String name : new java.util.TreeSet<>(files.keySet())) {
                if (name.equals(".signatures.json")) {
                    continue;
                }
                sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
                byte[] content = files.get(name);
                sha.update(java.nio.ByteBuffer.allocate(8).putLong(content.length).array());
                sha.update(content);
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Bundle fromFiles(Map<String, byte[]> files) {
        byte[] manifestBytes = files.get(".manifest");
        if (manifestBytes == null) {
            throw new EngineException.InvalidBundle("bundle has no .manifest");
        }
        byte[] wasm = files.get("policy.wasm");
        if (wasm == null) {
            throw new EngineException.InvalidBundle("bundle has no policy.wasm (build it with opa build -t wasm)");
        }
        try {
            JsonNode manifest = JSON.readTree(manifestBytes);
            String declared = manifest.path("revision").asText("");
            String digest = "sha256:" + digest(files).substring(0, 16);
            String revision = declared.isEmpty() ? digest : declared + "+" + digest;
            var entrypoints = new java.util.ArrayList<String>();
            for (JsonNode w : manifest.path("wasm")) {
                entrypoints.add(w.path("entrypoint").asText());
            }
            if (entrypoints.isEmpty()) {
                throw new EngineException.InvalidBundle(".manifest declares no wasm entrypoints");
            }
            byte[] dataBytes = files.get("data.json");
            JsonNode data = dataBytes == null ? JSON.createObjectNode() : JSON.readTree(dataBytes);
            return new Bundle(revision, entrypoints, wasm, data, files);
        } catch (IOException e) {
            throw new EngineException.InvalidBundle("bundle .manifest or data.json is not valid JSON", e);
        }
    }
}
