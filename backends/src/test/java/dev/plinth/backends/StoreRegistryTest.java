package dev.plinth.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plinth.datasync.model.Records;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.testing.TestInfra;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One store per backend id, rebuilt when the record changes, closed when no route uses it (real Redis). */
class StoreRegistryTest {

    private static Snapshot withRoutes(Map<String, Records.Route> routes) {
        var e = new Snapshot.Entities(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
                Map.of(), Map.of(), Map.of(), routes, Map.of());
        return Snapshot.of(1, Map.of(), e);
    }

    @Test
    void storesAreSharedPerBackendAndClosedWhenUnrouted() {
        var redis = new Records.Backend("r1", "redis", Map.of("host", "127.0.0.1", "port", TestInfra.shared().redisPort()),
                Map.of(), "active");
        try (var registry = new StoreRegistry("p", null, name -> {
            throw new AssertionError("no secret expected");
        })) {
            ResourceStore first = registry.storeFor(redis);
            assertThat(registry.storeFor(redis)).isSameAs(first);
            first.put(new Partition("t_a", "dev", "memory"), "k", "{\"v\": 1}", null);

            var moved = new Records.Backend("r1", "redis", Map.of("host", "127.0.0.1", "port", TestInfra.shared().redisPort(),
                    "database", 1), Map.of(), "active");
            assertThat(registry.storeFor(moved)).as("a changed record reconnects").isNotSameAs(first);

            registry.retainRouted(withRoutes(Map.of("x", new Records.Route("x", "memory", "*", "*", "*", "*", "r1"))));
            assertThat(registry.openBackends()).containsExactly("r1");
            registry.retainRouted(withRoutes(Map.of()));
            assertThat(registry.openBackends()).isEmpty();
        }
    }

    @Test
    void aBackendRecordWithoutSettingsIsNamedInTheError() {
        try (var registry = new StoreRegistry("p", null, name -> null)) {
            assertThatThrownBy(() -> registry.storeFor(new Records.Backend("bad", "redis", Map.of(), Map.of(), "active")))
                    .isInstanceOf(StoreException.Misconfigured.class).hasMessageContaining("backends/bad");
        }
    }
}
