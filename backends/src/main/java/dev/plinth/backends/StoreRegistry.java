package dev.plinth.backends;

import dev.plinth.datasync.model.Records.Backend;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.SecretException;
import dev.plinth.datasync.secrets.SecretResolver;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * One {@link ResourceStore} per backend id, built on first use from the backend's
 * control-plane record (its secrets resolved through the secrets contract), rebuilt when
 * the record changes, and closed when no route uses the backend any more
 * ({@link #retainRouted}, called with every new snapshot).
 */
public final class StoreRegistry implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StoreRegistry.class.getName());

    private record Open(Backend record, ResourceStore store) {}

    private final String controlPlaneProject;
    private final java.util.function.Supplier<java.time.Duration> operationTimeout;
    private final String emulatorHost;
    private final SecretResolver secrets;
    private final Map<String, Open> open = new HashMap<>();
    private final java.util.function.BiFunction<String, ResourceStore, ResourceStore> decorate;

    /**
     * @param controlPlaneProject the Firestore project a {@code firestore} backend uses when its settings name none
     * @param emulatorHost        the Firestore emulator (development and tests), or null
     */
    public StoreRegistry(String controlPlaneProject, String emulatorHost, SecretResolver secrets) {
        this(controlPlaneProject, emulatorHost, secrets, () -> dev.plinth.datasync.model.PlatformDefaults.DEFAULT_WRITE_TIMEOUT);
    }

    /** @param operationTimeout how long one Firestore store operation may wait, retries included (data: {@code store_timeout_ms}) */
    public StoreRegistry(String controlPlaneProject, String emulatorHost, SecretResolver secrets,
                         java.util.function.Supplier<java.time.Duration> operationTimeout) {
        this(controlPlaneProject, emulatorHost, secrets, operationTimeout, (id, store) -> store);
    }

    /** @param decorate wraps each store as it is opened, given its backend id (the embedder's metrics) */
    public StoreRegistry(String controlPlaneProject, String emulatorHost, SecretResolver secrets,
                         java.util.function.Supplier<java.time.Duration> operationTimeout,
                         java.util.function.BiFunction<String, ResourceStore, ResourceStore> decorate) {
        this.decorate = decorate;
        this.operationTimeout = operationTimeout;
        this.controlPlaneProject = controlPlaneProject;
        this.emulatorHost = emulatorHost;
        this.secrets = secrets;
    }

    /** The store of this backend record; reconnects when the record changed since the last call. */
    public synchronized ResourceStore storeFor(Backend backend) {
        Open current = open.get(backend.id());
        if (current != null && current.record().equals(backend)) {
            return current.store();
        }
        if (current != null) {
            current.store().close();
        }
        ResourceStore store = decorate.apply(backend.id(), create(backend));
        open.put(backend.id(), new Open(backend, store));
        return store;
    }

    /** Closes the stores of backends that no route names in this snapshot. */
    public synchronized void retainRouted(Snapshot snapshot) {
        Set<String> routed = snapshot.entities().routes().values().stream().map(r -> r.backend()).collect(Collectors.toSet());
        open.entrySet().removeIf(e -> {
            if (routed.contains(e.getKey())) {
                return false;
            }
            LOG.info("closing the store of backend " + e.getKey() + ": no route uses it any more");
            e.getValue().store().close();
            return true;
        });
    }

    /** Backend ids with an open store. */
    public synchronized Set<String> openBackends() {
        return Set.copyOf(open.keySet());
    }

    private ResourceStore create(Backend b) {
        Map<String, Object> s = b.settings();
        switch (b.type()) {
            case "firestore" -> {
                return new FirestoreResourceStore(b.id(), string(s, "project", controlPlaneProject),
                        string(s, "database", "(default)"), string(s, "collection", "resources"), emulatorHost, operationTimeout);
            }
            case "redis" -> {
                String host = string(s, "host", null);
                if (host == null || !(s.get("port") instanceof Number port)) {
                    throw new StoreException.Misconfigured("backends/" + b.id() + " (redis) needs settings.host and settings.port", null);
                }
                String password = secret(b, "password");
                String ca = secret(b, "ca_certificate");
                int database = s.get("database") instanceof Number n ? n.intValue() : 0;
                return new RedisResourceStore(b.id(), host, port.intValue(), database, password == null ? null : password.toCharArray(),
                        Boolean.TRUE.equals(s.get("tls")), ca);
            }
            default -> throw new StoreException.Misconfigured("backends/" + b.id() + " has unknown type " + b.type(), null);
        }
    }

    /** The value of the backend's secret in {@code slot}, or null when it names none; unresolvable is a misconfiguration. */
    private String secret(Backend b, String slot) {
        String name = b.secrets().get(slot);
        if (name == null) {
            return null;
        }
        try {
            return secrets.resolve(name).utf8();
        } catch (SecretException e) {
            throw new StoreException.Misconfigured("backends/" + b.id() + ": " + e.getMessage(), e);
        }
    }

    private static String string(Map<String, Object> settings, String key, String fallback) {
        return settings.get(key) instanceof String v ? v : fallback;
    }

    @Override
    public synchronized void close() {
        open.values().forEach(o -> o.store().close());
        open.clear();
    }
}
