package dev.plinth.core.inputs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.plinth.datasync.model.Records.Backend;
import dev.plinth.datasync.model.Records.ResourceKind;
import dev.plinth.datasync.model.Records.Route;
import java.util.List;
import java.util.Map;

/**
 * The input of {@code plinth/routing/backend}, and its decision-cache key: the kind, the
 * caller's scope, every route that matches it and the backends they name.
 *
 * @param kind         the resource kind asked for
 * @param resourceKind its record (absent for an unknown kind: the policy refuses it)
 * @param context      the caller's tenant and narrower scope
 * @param candidates   the routes matching the kind and scope, most specific first
 * @param backends     the backends those routes name, by id
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackendInput(String kind, ResourceKind resourceKind, Context context, List<Route> candidates,
                           Map<String, Backend> backends) {

    public static final String ENTRYPOINT = "plinth/routing/backend";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Context(String tenantId, String surfaceId, String appId, String projectId) {}
}
