package dev.plinth.core.policies;

import dev.plinth.core.PlinthException;

import dev.plinth.datasync.model.PlatformDefaults;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.SecretException;
import dev.plinth.datasync.secrets.SecretResolver;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.BundleSignature;
import dev.plinth.engine.api.EngineException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether a bundle may run, by the signing policy that is data ({@code tenants/t_system.defaults}):
 * {@code require_signed_bundles}, {@code bundle_signing_key_secret} (a logical secret name) and
 * {@code bundle_signing_algorithm}. A signed bundle is verified whenever a key is configured;
 * an unsigned one is refused while signatures are required. Checked at upload, at activation
 * and when each replica loads the active bundle, so a bundle uploaded before signatures were
 * required can never run after. The built-in bundle ships with the binary and is trusted.
 */
public final class BundleTrust {

    private final Supplier<Optional<Snapshot>> snapshots;
    private final SecretResolver secrets;

    public BundleTrust(Supplier<Optional<Snapshot>> snapshots, SecretResolver secrets) {
        this.snapshots = snapshots;
        this.secrets = secrets;
    }

    /**
     * @throws EngineException.InvalidBundle when the signing policy refuses the bundle
     * @throws PlinthException {@code SECRET_UNAVAILABLE} when the signing key cannot be read
     */
    public void check(Bundle bundle) {
        PlatformDefaults platform = snapshots.get().map(Snapshot::platform).orElse(PlatformDefaults.NONE);
        boolean signed = bundle.files().containsKey(".signatures.json");
        if (!platform.requireSignedBundles() && !(signed && platform.bundleSigningKeySecret().isPresent())) {
            return;
        }
        String name = platform.bundleSigningKeySecret().orElseThrow(() -> new EngineException.InvalidBundle(
                "signatures are required but tenants/t_system.defaults.bundle_signing_key_secret is not set"));
        String algorithm = platform.bundleSigningAlgorithm();
        String key;
        try {
            key = secrets.resolve(name).utf8();
        } catch (SecretException e) {
            throw new PlinthException.Unavailable("SECRET_UNAVAILABLE", e.getMessage());
        }
        BundleSignature.verify(bundle, key, algorithm);
    }
}
