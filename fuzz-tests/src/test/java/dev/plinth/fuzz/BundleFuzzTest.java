package dev.plinth.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.plinth.core.PlinthException;
import dev.plinth.core.policies.BundleTrust;
import dev.plinth.datasync.secrets.SecretValue;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.BundleCheck;
import dev.plinth.engine.api.EngineException;
import dev.plinth.engine.builtins.NetworkAccess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * The bundle reader an upload runs (tar, gzip, manifest, signatures, the wasm module), fed
 * what an attacker uploads. Every input either reads or is refused as an invalid bundle (400
 * {@code BUNDLE_INVALID}); anything else escaping — an unchecked exception, an error, a hang
 * — is what the upload route would answer 500 to, and is a defect.
 */
class BundleFuzzTest {

    /** Raw bytes: the gzip and tar layers. */
    @FuzzTest(maxDuration = "15s")
    void packedBytes(byte[] data) {
        upload(data, Fixture.signaturesRequired(false));
    }

    /**
     * A well-formed tar.gz of fuzzed entries: manifest, signatures, data and module, so the
     * fuzzer reaches what lies behind the compression layers.
     */
    @FuzzTest(maxDuration = "15s")
    void entries(FuzzedDataProvider d) throws IOException {
        var files = new LinkedHashMap<String, byte[]>();
        files.put(d.consumeBoolean() ? ".manifest" : d.consumeString(40), d.consumeString(2_000).getBytes(StandardCharsets.UTF_8));
        if (d.consumeBoolean()) {
            files.put(".signatures.json", d.consumeString(4_000).getBytes(StandardCharsets.UTF_8));
        }
        if (d.consumeBoolean()) {
            files.put("data.json", d.consumeString(2_000).getBytes(StandardCharsets.UTF_8));
        }
        files.put(d.consumeBoolean() ? "policy.wasm" : d.consumeString(40), d.consumeBoolean() ? Fixture.builtinWasm() : d.consumeBytes(4_000));
        upload(pack(files), Fixture.signaturesRequired(d.consumeBoolean()));
    }

    /** What {@code PolicyLifecycle.upload} checks before it stores a bundle. */
    private static void upload(byte[] bytes, Fixture.Platform platform) {
        try {
            Bundle bundle = Bundle.read(new ByteArrayInputStream(bytes));
            new BundleTrust(() -> Optional.of(platform.snapshot()), name -> new SecretValue(Fixture.KEY.getBytes(StandardCharsets.UTF_8)))
                    .check(bundle);
            BundleCheck.load(bundle, 1, 0, NetworkAccess.NONE);
        } catch (EngineException.InvalidBundle | PlinthException.Invalid refused) {
            // refused with a reason: 400 BUNDLE_INVALID
        }
    }

    static byte[] pack(Map<String, byte[]> files) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var f : files.entrySet()) {
                // A file entry, whatever the name: a trailing '/' would make it a directory.
                String name = f.getKey().replace('\0', '_');
                var entry = new TarArchiveEntry(name.isEmpty() || name.endsWith("/") ? name + "x" : name, true);
                entry.setSize(f.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        } catch (IllegalArgumentException | IOException e) {
            // a name tar cannot hold: what was packed before it is the input
        }
        return out.toByteArray();
    }
}
