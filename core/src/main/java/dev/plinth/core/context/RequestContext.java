package dev.plinth.core.context;

import java.util.List;

/**
 * The resolved context of a request, as the policy decided it. Handlers only ever see
 * one of these; nothing below the filter re-reads the headers.
 */
public record RequestContext(String tenantId, String env, String userId, List<String> roles, String mode,
                             String surfaceId, String appId, String projectId,
                             long dataRevision, String bundleRevision) {
    public RequestContext {
        roles = List.copyOf(roles);
    }
}
