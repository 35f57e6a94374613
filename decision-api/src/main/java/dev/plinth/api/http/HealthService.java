package dev.plinth.api.http;

import dev.plinth.core.health.Readiness;
import dev.plinth.datasync.model.Json;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.Supplier;

/**
 * {@code /health/live} (the process answers) and {@code /health/ready}: the core's
 * {@link Readiness.Report}, 200 while the replica may serve (DEGRADED included), 503 otherwise.
 */
public final class HealthService implements HttpService {

    private final Supplier<Readiness.Report> readiness;

    public HealthService(Supplier<Readiness.Report> readiness) {
        this.readiness = readiness;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/live", (req, res) -> JsonResponses.send(res, 200, Json.MAPPER.createObjectNode().put("status", "UP")))
             .get("/ready", this::ready);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        Readiness.Report report = readiness.get();
        JsonResponses.send(res, report.ready() ? 200 : 503, Json.MAPPER.valueToTree(report));
    }
}
