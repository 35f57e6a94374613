package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.List;
import java.util.Map;

/**
 * {@code /contract/openapi.json}, {@code /contract/schemas/{name}.json} (primitives) and
 * {@code /contract/inputs/{name}.json} (policy inputs): public, generated, cached.
 */
final class ContractService implements HttpService {

    private final JsonNode openApi;
    private final Map<String, JsonNode> schemas;
    private final Map<String, JsonNode> inputs;

    ContractService(List<RouteSpec> routes) {
        this.openApi = Contract.openApi(routes);
        this.schemas = Contract.schemas();
        this.inputs = Contract.inputSchemas();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/openapi.json", (req, res) -> JsonResponses.send(res, 200, openApi))
             .get("/schemas/{name}", (req, res) -> named(req, res, schemas, "schema"))
             .get("/inputs/{name}", (req, res) -> named(req, res, inputs, "input schema"));
    }

    private static void named(io.helidon.webserver.http.ServerRequest req, io.helidon.webserver.http.ServerResponse res,
                              Map<String, JsonNode> files, String what) {
        String name = req.path().pathParameters().get("name").replaceFirst("\\.json$", "");
        JsonNode schema = files.get(name);
        if (schema == null) {
            ProblemHandler.send(req, res, 404, "NOT_FOUND", "no " + what + " named " + name + "; known: " + files.keySet());
        } else {
            JsonResponses.send(res, 200, schema);
        }
    }
}
