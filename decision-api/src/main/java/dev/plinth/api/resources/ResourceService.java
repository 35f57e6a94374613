package dev.plinth.api.resources;

import dev.plinth.api.context.ProblemException;
import dev.plinth.api.context.RequestContext;
import dev.plinth.api.routing.Routing;
import dev.plinth.backends.Partition;
import dev.plinth.backends.ResourceStore;
import dev.plinth.backends.StoreRegistry;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes resources of a kind for a resolved context: the backend comes from the
 * routing spine (never chosen here), the partition from the context's tenant and env.
 * Kinds whose model is {@code external} are answered by the spine but not stored here.
 */
public final class ResourceService {

    /** Where an operation went, for response headers. */
    public record Placement(String backendId, String routeId, String scope) {}

    public record Read(Optional<String> json, Placement placement) {}

    public record Listing(List<ResourceStore.Item> items, String nextKey, Placement placement) {}

    private final Routing routing;
    private final StoreRegistry stores;

    public ResourceService(Routing routing, StoreRegistry stores) {
        this.routing = routing;
        this.stores = stores;
    }

    private record Target(ResourceStore store, Partition partition, Placement placement) {}

    private Target target(RequestContext context, String kind) {
        Routing.Resolved r = routing.backendFor(context, kind);
        if ("external".equals(r.model())) {
            throw new ProblemException(400, "KIND_NOT_SERVED", "resource kind " + kind
                    + " is stored outside Plinth; ask GET /v1/routes/" + kind + " where it lives");
        }
        return new Target(stores.storeFor(r.backend()), new Partition(context.tenantId(), context.env(), kind),
                new Placement(r.backend().id(), r.route().id(), r.scope()));
    }

    public Read get(RequestContext context, String kind, String key) {
        Target t = target(context, kind);
        return new Read(t.store().get(t.partition(), key), t.placement());
    }

    public Placement put(RequestContext context, String kind, String key, String json) {
        Target t = target(context, kind);
        t.store().put(t.partition(), key, json);
        return t.placement();
    }

    public Read delete(RequestContext context, String kind, String key) {
        Target t = target(context, kind);
        return new Read(t.store().delete(t.partition(), key) ? Optional.of("") : Optional.empty(), t.placement());
    }

    public Listing list(RequestContext context, String kind, String prefix, String pageToken, int pageSize) {
        if (pageSize < 1 || pageSize > 500) {
            throw new ProblemException(400, "MALFORMED_REQUEST", "page_size must be 1..500");
        }
        Target t = target(context, kind);
        List<ResourceStore.Item> items = t.store().list(t.partition(), prefix == null ? "" : prefix, pageToken, pageSize + 1);
        String next = null;
        if (items.size() > pageSize) {
            items = items.subList(0, pageSize);
            next = items.get(pageSize - 1).key();
        }
        return new Listing(items, next, t.placement());
    }
}
