package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.List;
import java.util.Map;

/** {@code /contract/openapi.json} and {@code /contract/schemas/{name}.json}: public, generated, cached. */
final class ContractService implements HttpService {

    private final JsonNode openApi;
    private final Map<String, JsonNode> schemas;

    ContractService(List<RouteSpec> routes) {
        this.openApi = Contract.openApi(routes);
        this.schemas = Contract.schemas();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/openapi.json", (req, res) -> JsonResponses.send(res, 200, openApi))
             .get("/schemas/{name}", (req, res) -> {
                 String name = req.path().pathParameters().get("name").replaceFirst("\\.json$", "");
                 JsonNode schema = schemas.get(name);
                 if (schema == null) {
                     ProblemHandler.send(req, res, 404, "NOT_FOUND", "no schema named " + name + "; known: " + schemas.keySet());
                 } else {
                     JsonResponses.send(res, 200, schema);
                 }
             });
    }
}
