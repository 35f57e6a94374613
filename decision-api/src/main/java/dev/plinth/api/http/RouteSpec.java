package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.core.context.RequestContext;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;

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
 * @param params       the query parameters and headers it reads beyond the context's
 * @param success      the status of a successful answer (the matrix test holds handlers to it)
 */
public record RouteSpec(Method method, String path, String kind, String action, boolean admin,
                        String targetParam, String summary, String requestBody, Handler handler, List<Param> params,
                        int success) {

    /** {@link #requestBody} of a route whose body is a gzipped bundle, not JSON. */
    public static final String GZIP_BODY = "<application/gzip>";

    /** A route that takes no query parameter and no header beyond the context's. */
    public RouteSpec(Method method, String path, String kind, String action, boolean admin,
                     String targetParam, String summary, String requestBody, Handler handler) {
        this(method, path, kind, action, admin, targetParam, summary, requestBody, handler, List.of(), 200);
    }

    public RouteSpec {
        params = List.copyOf(params);
    }

    /** This route, also taking {@code more}. */
    public RouteSpec with(Param... more) {
        var all = new ArrayList<>(params);
        all.addAll(List.of(more));
        return new RouteSpec(method, path, kind, action, admin, targetParam, summary, requestBody, handler, all, success);
    }

    /** This route, answering 201 Created on success (it creates what it names). */
    public RouteSpec created() {
        return new RouteSpec(method, path, kind, action, admin, targetParam, summary, requestBody, handler, params, 201);
    }

    /**
     * A query parameter or request header a route reads, beyond the context headers. The
     * list is the truth in both directions: the OpenAPI document renders it, a request
     * carrying a query parameter not on it is refused, and a handler reading one not on it
     * fails (so the route matrix catches a handler that grew a parameter its route does not
     * declare).
     *
     * @param type the OpenAPI type: {@code integer}, {@code boolean} or {@code string}
     */
    public record Param(String name, boolean header, String type, String description) {
        public static Param query(String name, String type, String description) {
            return new Param(name, false, type, description);
        }

        public static Param header(String name, String description) {
            return new Param(name, true, "string", description);
        }
    }

    /** The query parameters this route takes, by name. */
    public List<String> queryNames() {
        return params.stream().filter(p -> !p.header()).map(Param::name).toList();
    }

    private void requireDeclared(String name, boolean header) {
        // Header names are case-insensitive in HTTP; query parameter names are not.
        if (params.stream().noneMatch(p -> p.header() == header && (header ? p.name().equalsIgnoreCase(name) : p.name().equals(name)))) {
            throw new IllegalStateException(method.text() + " " + path + " reads the " + (header ? "header " : "query parameter ")
                    + name + ", which the route does not declare (RouteSpec.with)");
        }
    }

    /** The example JSON body, or null when the route takes none or takes a binary body. */
    public String jsonExample() {
        return GZIP_BODY.equals(requestBody) ? null : requestBody;
    }

    /** A call that passed the context filter and the route policy. */
    public record Call(RouteSpec route, RequestContext context, ServerRequest request, JsonNode body) {
        public String param(String name) {
            return request.path().pathParameters().first(name).orElse(null);
        }

        /** A declared query parameter, or null when absent. */
        public String query(String name) {
            route.requireDeclared(name, false);
            return request.query().first(name).orElse(null);
        }

        /** A declared request header, or null when absent. */
        public String header(String name) {
            route.requireDeclared(name, true);
            return request.headers().first(HeaderNames.create(name)).orElse(null);
        }

        /** A boolean query parameter ({@code true}/{@code false}), false when absent; 400 MALFORMED_REQUEST otherwise. */
        public boolean booleanQuery(String name) {
            String v = query(name);
            if (v == null || v.equals("false")) {
                return false;
            }
            if (v.equals("true")) {
                return true;
            }
            throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", name + " must be true or false, was '" + v + "'");
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
                throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", name + " must be an integer, was '" + v + "'");
            }
        }
    }

    @FunctionalInterface
    public interface Handler {
        void handle(Call call, ServerResponse res) throws Exception;
    }
}
