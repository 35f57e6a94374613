package dev.plinth.core.context;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Where a caller says it acts: a tenant and an env, optionally narrowed to a surface, an
 * app and a project. What the server reads from {@code X-Tenant-Id}, {@code X-Env},
 * {@code X-Surface-Id}, {@code X-App-Id} and {@code X-Project-Id}; whether the caller may act
 * there is {@code plinth/authz/decision}'s answer, not this value's. Components may be null
 * (the policy then refuses what it requires), so a server passes on what it received as is.
 */
@JsonInclude(JsonInclude.Include.NON_NULL) // as policy input: only what the caller gave
public record Scope(String tenantId, String env, String surfaceId, String appId, String projectId) {

    /** A tenant and env, nothing narrower. */
    public static Scope of(String tenantId, String env) {
        return new Scope(Objects.requireNonNull(tenantId, "tenantId"), Objects.requireNonNull(env, "env"), null, null, null);
    }

    public Scope surface(String surfaceId) {
        return new Scope(tenantId, env, surfaceId, appId, projectId);
    }

    public Scope app(String appId) {
        return new Scope(tenantId, env, surfaceId, appId, projectId);
    }

    public Scope project(String projectId) {
        return new Scope(tenantId, env, surfaceId, appId, projectId);
    }
}
