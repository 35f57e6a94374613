package dev.plinth.core.inputs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.plinth.core.auth.TokenFacts;
import dev.plinth.core.context.Scope;
import dev.plinth.datasync.model.Records.App;
import dev.plinth.datasync.model.Records.Membership;
import dev.plinth.datasync.model.Records.Project;
import dev.plinth.datasync.model.Records.Subscription;
import dev.plinth.datasync.model.Records.Surface;
import dev.plinth.datasync.model.Records.Tenant;
import dev.plinth.datasync.model.Records.User;
import java.util.Objects;

/**
 * The input of {@code plinth/authz/decision}, and its decision-cache key: what the caller
 * presented (the verification's facts, never the token) and asked for, and the records the
 * snapshot holds for it (absent ones are left out of the JSON).
 *
 * <p>Records are compared by reference. They are immutable and a snapshot keeps the same
 * instance until the document changes, so the same instance means the same value; a
 * new instance with an equal value merely misses once. Hashing by reference touches
 * one object header instead of every list and map inside the records, which keeps a
 * cache hit cheap however large the control plane is.
 *
 * @param credentials  what verification established about the presented token
 * @param request      the scope the caller asked for, as given
 * @param tenant       the tenant named by the request
 * @param user         the user the verified identity maps to
 * @param membership   the user's membership in that tenant
 * @param surface      the surface named by the request
 * @param project      the project named by the request
 * @param app          the app named by the request, else the project's
 * @param appSurface   that app's surface
 * @param subscription the tenant's subscription to that app
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuthzDecisionInput(TokenFacts credentials, Scope request, Tenant tenant, User user, Membership membership,
                                 Surface surface, Project project, App app, Surface appSurface, Subscription subscription) {

    public static final String ENTRYPOINT = "plinth/authz/decision";

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthzDecisionInput f && credentials.equals(f.credentials) && request.equals(f.request)
                && tenant == f.tenant && user == f.user && membership == f.membership && surface == f.surface
                && app == f.app && appSurface == f.appSurface && subscription == f.subscription && project == f.project;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(credentials, request);
        for (Object r : new Object[] {tenant, user, membership, surface, app, appSurface, subscription, project}) {
            h = 31 * h + System.identityHashCode(r);
        }
        return h;
    }
}
