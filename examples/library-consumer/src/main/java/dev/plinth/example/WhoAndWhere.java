package dev.plinth.example;

import dev.plinth.core.auth.Credentials;
import dev.plinth.core.context.RequestContext;
import dev.plinth.core.context.Scope;
import dev.plinth.core.library.Plinth;
import dev.plinth.core.bootstrap.PlinthConfig;
import dev.plinth.core.routing.Routing;

/** The example of docs/library-mode.md, compiled and run by WhoAndWhereTest. */
public final class WhoAndWhere {

    private WhoAndWhere() {}

    // example:start
    public static String whoAndWhere(PlinthConfig config, String bearerToken) throws Exception {
        try (Plinth plinth = Plinth.connect(config)) {
            // Who is calling, in which tenant and env — decided by plinth/authz/decision.
            RequestContext ctx = plinth.resolve(Credentials.bearer(bearerToken), Scope.of("t_system", "dev"));
            // Which backend serves feature flags for this caller — decided by plinth/routing/backend.
            Routing.Resolved flags = plinth.backendFor(ctx, "feature_flags");
            // Read and write through the routed backend, in the caller's tenant and env.
            plinth.resources().put(ctx, "feature_flags", "dark-mode", "{\"enabled\": true}");
            String stored = plinth.resources().get(ctx, "feature_flags", "dark-mode").json().orElseThrow();
            return ctx.userId() + " in " + ctx.tenantId() + " (" + ctx.mode() + "): feature_flags on "
                    + flags.backend().id() + " via " + flags.scope() + " route; dark-mode = " + stored;
        }
    }
    // example:end
}
