package dev.plinth.datasync.secrets;

import dev.plinth.datasync.model.Records.SecretMapping;
import dev.plinth.datasync.model.Snapshot;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Resolves logical names through the control plane's {@code secrets/{name}} mapping. */
public final class ControlPlaneSecretResolver implements SecretResolver {
    private final Supplier<Snapshot> snapshot;
    private final Map<String, SecretProvider> providers;

    public ControlPlaneSecretResolver(Supplier<Snapshot> snapshot, List<SecretProvider> providers) {
        this.snapshot = snapshot;
        this.providers = providers.stream().collect(Collectors.toUnmodifiableMap(SecretProvider::name, Function.identity()));
    }

    @Override
    public SecretValue resolve(String logicalName) {
        SecretMapping mapping = snapshot.get().secrets().get(logicalName);
        if (mapping == null) {
            throw new SecretException(logicalName, "no mapping for secret '" + logicalName
                    + "': add the control-plane document secrets/" + logicalName);
        }
        SecretProvider provider = providers.get(mapping.provider());
        if (provider == null) {
            throw new SecretException(logicalName, "secrets/" + logicalName + " names provider '" + mapping.provider()
                    + "', which is not configured (configured: " + providers.keySet() + ")");
        }
        return provider.read(mapping.reference()).orElseThrow(() -> new SecretException(logicalName,
                "secret '" + logicalName + "' is mapped by secrets/" + logicalName + " to " + mapping.provider()
                        + " reference '" + mapping.reference() + "', which holds no value"));
    }
}
