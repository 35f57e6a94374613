package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.api.context.RequestContext;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * One protected route: its method and path, what it is for the route policy
 * ({@code plinth/authz/route}), and its handler. The list of these is the router: it is
 * registered with Helidon, rendered as OpenAPI, and enumerated by the route-matrix test.
 *
 * @param kind         the primitive the route manages (admin routes), or null
 * @param action       {@code read} or {@code write}
 * @param admin        an admin route, authorized by role in the policy
 * @param targetParam  the path parameter naming the tenant the route acts on, or null
 * @param requestBody  the JSON body the route expects (for docs and the matrix test), or null
 */
public record RouteSpec(Method method, String path, String kind, String action, boolean admin,
                        String targetParam, String summary, String requestBody, Handler handler) {

    /** {@link #requestBody} of a route whose body is a gzipped bundle, not JSON. */
    public static final String GZIP_BODY = "<application/gzip>";

    /** The example JSON body, or null when the route takes none or takes a binary body. */
    public String jsonExample() {
        return GZIP_BODY.equals(requestBody) ? null : requestBody;
    }

    /** A call that passed the context filter and the route policy. */
    public record Call(RequestContext context, ServerRequest request, JsonNode body) {
        public String param(String name) {
            return request.path().pathParameters().first(name).orElse(null);
        }

        public String query(String name) {
            return request.query().first(name).orElse(null);
        }

        /** An integer query parameter, or {@code fallback} when absent; 400 MALFORMED_REQUEST when not an integer. */
        public long longQuery(String name, long fallback) {
            String v = query(name);
            if (v == null) {
                return fallback;
            }
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new dev.plinth.api.context.ProblemException(400, "MALFORMED_REQUEST", name + " must be an integer, was '" + v + "'");
            }
        }
    }

    @FunctionalInterface
    public interface Handler {
        void handle(Call call, ServerResponse res) throws Exception;
    }
}
