package dev.plinth.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.datasync.ControlPlane;
import dev.plinth.datasync.model.Json;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.ControlPlaneSecretResolver;
import dev.plinth.datasync.secrets.SecretException;
import dev.plinth.engine.api.PolicyEngine;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/** {@code /health/live} (the process answers) and {@code /health/ready} (a complete snapshot is loaded). */
public final class HealthService implements HttpService {

    private final ControlPlane controlPlane;
    private final Supplier<PolicyEngine> engine;
    private final ControlPlaneSecretResolver secrets;
    private final Clock clock;

    public HealthService(ControlPlane controlPlane, Supplier<PolicyEngine> engine, ControlPlaneSecretResolver secrets,
                         Clock clock) {
        this.controlPlane = controlPlane;
        this.engine = engine;
        this.secrets = secrets;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/live", (req, res) -> JsonResponses.send(res, 200, Json.MAPPER.createObjectNode().put("status", "UP")))
             .get("/ready", this::ready);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        // Health is public: it names what is wrong, never where secrets live (paths, references).
        var unresolved = Json.MAPPER.createArrayNode();
        controlPlane.snapshot().ifPresent(s -> referencedSecrets(s).forEach(name -> {
            try {
                secrets.resolve(name);
            } catch (SecretException e) {
                unresolved.add(name);
            }
        }));
        // Fail fast: a secret that data references but nobody can resolve makes the replica unready.
        boolean ready = controlPlane.isReady() && unresolved.isEmpty();
        // Degraded is still ready: the replica decides on its last snapshot (fail-static).
        String status = !ready ? "DOWN" : controlPlane.isReachable() ? "UP" : "DEGRADED";
        ObjectNode body = Json.MAPPER.createObjectNode().put("status", status)
                .put("firestore_reachable", controlPlane.isReachable())
                .put("staleness_ms", controlPlane.staleness().toMillis());
        controlPlane.snapshot().ifPresent(s -> body.put("data_revision", s.revision()));
        PolicyEngine policy = engine.get();
        body.put("bundle_revision", policy.bundleRevision());
        ObjectNode evaluation = body.putObject("evaluation").put("deadline_ms", policy.deadline().toMillis());
        evaluation.set("decision_pool", Json.MAPPER.valueToTree(policy.decisionPool()));
        evaluation.set("data_pool", Json.MAPPER.valueToTree(policy.isolatedPool()));
        ObjectNode listeners = body.putObject("listeners");
        controlPlane.listenerStates().forEach((source, st) -> {
            ObjectNode l = listeners.putObject(source.name().toLowerCase(java.util.Locale.ROOT));
            l.put("state", st.state()).put("read_time_micros", st.readTimeMicros());
            if (st.lastEventAt() != null) {
                l.put("last_event_age_ms", Duration.between(st.lastEventAt(), clock.instant()).toMillis());
            }
            if (st.lastError() != null) {
                l.put("last_error", st.lastError());
            }
        });
        body.set("unresolved_secrets", unresolved);
        var withoutDefault = body.putArray("kinds_without_default_route");
        controlPlane.snapshot().ifPresent(s -> s.entities().resourceKinds().keySet().stream().sorted()
                .filter(kind -> s.matchingRoutes(kind, null, null, null, null).isEmpty())
                .forEach(withoutDefault::add));
        // The secret cache: names, ages and staleness only (no provider references).
        ObjectNode cached = body.putObject("secrets");
        if (controlPlane.snapshot().isPresent()) {
            secrets.status().forEach((name, st) -> cached.putObject(name).put("age_seconds", st.ageSeconds()).put("stale", st.stale())
                    .put("refresh_failing", st.lastError() != null));
        }
        JsonResponses.send(res, ready ? 200 : 503, body);
    }

    /** Every logical secret name the control-plane data refers to. */
    static java.util.SortedSet<String> referencedSecrets(Snapshot s) {
        var names = new java.util.TreeSet<String>();
        s.identityProviders().values().forEach(p -> {
            if (p.keySecret() != null) {
                names.add(p.keySecret());
            }
        });
        return names;
    }

}
