package dev.plinth.core.inputs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.core.context.RequestContext;
import java.util.Map;

/**
 * The input of {@code plinth/authz/route}, and its decision-cache key: the caller's
 * resolved context, the route's class, and the facts a request names (target and body
 * fields), gathered by the server before the handler runs.
 *
 * @param bodyPending true on the first pass, before the body is read (absent otherwise)
 * @param context     the caller's resolved context
 * @param route       what the route is: admin or data plane, its kind, action and method
 * @param target      what the path names
 * @param body        the body fields a policy compares with the context
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteInput(Boolean bodyPending, RequestContext context, Route route, Target target, Body body) {

    public static final String ENTRYPOINT = "plinth/authz/route";

    /** Always with every field (a data-plane route has {@code kind: null}, as policies expect). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Route(boolean admin, String kind, String action, String method) {}

    /**
     * @param tenantId     the tenant the path names
     * @param id           for a membership write: the member id
     * @param activeOwners for a membership write: the tenant's active owners now
     * @param membership   for a membership write: the membership document as stored (absent when new)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Target(String tenantId, String id, Integer activeOwners, Map<String, Object> membership) {
        public static final Target NONE = new Target(null, null, null, null);
    }

    /** The body's {@code tenant_id}, {@code env} and {@code status} (as text) and {@code roles}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Body(String tenantId, String env, String status, JsonNode roles) {
        public static final Body NONE = new Body(null, null, null, null);
    }
}
