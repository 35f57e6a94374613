package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import dev.plinth.core.context.RequestContext;
import dev.plinth.datasync.primitive.Kind;
import dev.plinth.datasync.model.Json;
import dev.plinth.datasync.model.Records;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contract other repositories code against, generated — never hand-written — from the
 * Java records (JSON Schema per primitive) and from the route table (OpenAPI).
 */
public final class Contract {

    /** Schema name → record. The names are the snake_case forms policies and APIs use. */
    public static final Map<String, Class<?>> PRIMITIVES = primitives();

    /** Every primitive of the registry by its schema name, then the resolved context. */
    private static Map<String, Class<?>> primitives() {
        var m = new LinkedHashMap<String, Class<?>>();
        for (Kind kind : Kind.values()) {
            m.put(kind.schemaName(), kind.recordType());
        }
        m.put("request_context", RequestContext.class);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** A record's {@code id} grammar: its kind's, where the record's id is the document id. */
    private static final Map<Class<?>, String> ID_PATTERNS = idPatterns();

    private static Map<Class<?>, String> idPatterns() {
        var m = new java.util.HashMap<Class<?>, String>();
        for (Kind kind : Kind.values()) {
            boolean hasId = java.util.Arrays.stream(kind.recordType().getRecordComponents()).anyMatch(c -> c.getName().equals("id"));
            if (hasId) {
                m.put(kind.recordType(), kind.idPattern().pattern());
            }
        }
        return Map.copyOf(m);
    }

    /** A context header of every protected route (DESIGN.md §5), named as the filter reads it. */
    private record ContextHeader(String name, boolean required, String description) {}

    private static final List<ContextHeader> CONTEXT_HEADERS = List.of(
            new ContextHeader(ContextFilter.TENANT.defaultCase(), true, "the tenant the request acts in (" + Kind.Ids.TENANT.pattern() + ")"),
            new ContextHeader(ContextFilter.ENV.defaultCase(), true, "the environment, one of the tenant's allowed_envs"),
            new ContextHeader(ContextFilter.SURFACE.defaultCase(), false, "the surface the request is made on (validated against the control plane)"),
            new ContextHeader(ContextFilter.APP.defaultCase(), false, "the app, on that surface, the tenant is subscribed to"),
            new ContextHeader(ContextFilter.PROJECT.defaultCase(), false, "a project of the tenant and app"),
            new ContextHeader(ContextFilter.MIN_REVISION.defaultCase(), false, "<collection>:<microseconds> from a write's answer: "
                    + "wait until this replica has it (503 REVISION_NOT_REACHED when it does not arrive in time)"));

    private Contract() {}

    /**
     * The input of each entrypoint Plinth calls ({@link dev.plinth.core.inputs.PolicyInputs}),
     * for Rego authors: file name (the entrypoint with {@code _} for {@code /}) → schema. Values
     * are as the caller gave them, so no grammar is stated; a field that may be absent is not
     * required; {@code JsonNode} fields (a thread's ACL, roles as given) are any JSON.
     */
    public static Map<String, JsonNode> inputSchemas() {
        var config = new SchemaGeneratorConfigBuilder(Json.MAPPER, SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON);
        config.forFields().withPropertyNameOverrideResolver(field -> snake(field.getName()));
        config.forTypesInGeneral().withCustomDefinitionProvider((type, context) ->
                JsonNode.class.isAssignableFrom(type.getErasedType())
                        ? new com.github.victools.jsonschema.generator.CustomDefinition(context.getGeneratorConfig().createObjectNode()
                                .put("description", "any JSON"))
                        : null);
        var generator = new SchemaGenerator(config.build());
        var out = new LinkedHashMap<String, JsonNode>();
        dev.plinth.core.inputs.PolicyInputs.BY_ENTRYPOINT.forEach((entrypoint, type) -> {
            String name = entrypoint.replace('/', '_');
            ObjectNode schema = generator.generateSchema(type);
            schema.put("title", "input of " + entrypoint);
            schema.put("$id", "https://plinth.dev/contract/inputs/" + name + ".json");
            out.put(name, schema);
        });
        return out;
    }

    public static Map<String, JsonNode> schemas() {
        var config = new SchemaGeneratorConfigBuilder(Json.MAPPER, SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON);
        config.forFields().withPropertyNameOverrideResolver(field -> snake(field.getName()));
        // The grammars and enumerations that the admin API enforces (Kind), stated in the schema.
        config.forFields().withStringPatternResolver(field -> {
            String name = snake(field.getName());
            Class<?> owner = field.getDeclaringType().getErasedType();
            return switch (name) {
                case "id" -> ID_PATTERNS.getOrDefault(owner, null);
                case "tenant_id" -> Kind.Ids.TENANT.pattern();
                case "user_id" -> Kind.Ids.USER.pattern();
                case "app_id", "app" -> Kind.Ids.APP.pattern();
                case "surface_id", "surface" -> Kind.Ids.SURFACE.pattern();
                case "project_id" -> Kind.Ids.PROJECT.pattern();
                case "env" -> Kind.Ids.ENV.pattern();
                default -> null;
            };
        });
        config.forFields().withEnumResolver(field -> "status".equals(field.getName()) ? List.of("active", "suspended") : null);
        config.forFields().withRequiredCheck(field -> List.of("id", "tenantId", "userId", "appId", "env").contains(field.getName()));
        var generator = new SchemaGenerator(config.build());
        var out = new LinkedHashMap<String, JsonNode>();
        PRIMITIVES.forEach((name, type) -> {
            ObjectNode schema = generator.generateSchema(type);
            schema.put("title", name);
            schema.put("$id", "https://plinth.dev/contract/schemas/" + name + ".json");
            out.put(name, schema);
        });
        return out;
    }

    /** OpenAPI 3.1 for the protected routes, with the primitives' schemas as components. */
    public static JsonNode openApi(List<RouteSpec> routes) {
        var json = Json.MAPPER;
        ObjectNode doc = json.createObjectNode().put("openapi", "3.1.0");
        doc.putObject("info").put("title", "Plinth API").put("version", "0.1.0")
                .put("description", "Every /v1 route needs Authorization: Bearer <JWT>, X-Tenant-Id and X-Env "
                        + "(optional X-Surface-Id, X-App-Id, X-Project-Id, X-Min-Revision). Errors are RFC 9457 "
                        + "application/problem+json with a code.");
        ObjectNode shared = doc.putObject("components");
        shared.putObject("securitySchemes").putObject("bearer")
                .put("type", "http").put("scheme", "bearer").put("bearerFormat", "JWT");
        ObjectNode headers = shared.putObject("parameters");
        for (ContextHeader h : CONTEXT_HEADERS) {
            headers.putObject(h.name()).put("name", h.name()).put("in", "header").put("required", h.required())
                    .put("description", h.description()).putObject("schema").put("type", "string");
        }
        doc.putArray("security").addObject().putArray("bearer");
        ObjectNode paths = doc.putObject("paths");
        for (RouteSpec r : routes) {
            ObjectNode path = paths.has(r.path()) ? (ObjectNode) paths.get(r.path()) : paths.putObject(r.path());
            ObjectNode op = path.putObject(r.method().text().toLowerCase(java.util.Locale.ROOT));
            op.put("summary", r.summary());
            ArrayNode params = op.putArray("parameters");
            Matcher m = Pattern.compile("\\{([a-z_]+)}").matcher(r.path());
            while (m.find()) {
                params.addObject().put("name", m.group(1)).put("in", "path").put("required", true)
                        .putObject("schema").put("type", "string");
            }
            for (ContextHeader h : CONTEXT_HEADERS) {
                params.addObject().put("$ref", "#/components/parameters/" + h.name());
            }
            for (RouteSpec.Param p : r.params()) {
                params.addObject().put("name", p.name()).put("in", p.header() ? "header" : "query").put("required", false)
                        .put("description", p.description()).putObject("schema").put("type", p.type());
            }
            if (RouteSpec.GZIP_BODY.equals(r.requestBody())) {
                op.putObject("requestBody").put("required", true).putObject("content").putObject("application/gzip")
                        .putObject("schema").put("type", "string").put("format", "binary");
            } else if (r.requestBody() != null) {
                ObjectNode media = op.putObject("requestBody").put("required", true)
                        .putObject("content").putObject("application/json");
                if (r.path().endsWith("/{op}")) {
                    modelOperations(media, op);
                } else {
                    // A primitive's body is its schema (the console validates its forms with it).
                    var primitive = r.path().startsWith("/v1/admin/") ? dev.plinth.datasync.primitive.Kind.ofCollection(r.kind())
                            : java.util.Optional.<dev.plinth.datasync.primitive.Kind>empty();
                    if (primitive.isPresent()) {
                        media.putObject("schema").put("$ref", "#/components/schemas/" + primitive.get().schemaName());
                    } else {
                        media.putObject("schema").put("type", "object");
                    }
                }
                try {
                    media.set("example", json.readTree(r.requestBody()));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("route " + r.path() + " has an invalid example body", e);
                }
            }
            ObjectNode responses = op.putObject("responses");
            responses.putObject(String.valueOf(r.success())).put("description", r.success() == 201 ? "created" : "success");
            responses.putObject("default").put("description", "problem")
                    .putObject("content").putObject("application/problem+json").putObject("schema")
                    .put("$ref", "#/components/schemas/problem");
        }
        ObjectNode components = ((ObjectNode) doc.get("components")).putObject("schemas");
        schemas().forEach((name, schema) -> {
            ObjectNode copy = schema.deepCopy();
            copy.remove("$schema");
            components.set(name, copy);
        });
        ObjectNode problem = components.putObject("problem").put("type", "object");
        ObjectNode props = problem.putObject("properties");
        for (String f : List.of("type", "title", "code", "detail", "instance")) {
            props.putObject(f).put("type", "string");
        }
        props.putObject("status").put("type", "integer");
        problem.putArray("required").add("status").add("code");
        return doc;
    }

    /** Each model operation's body and answer, from the one table ({@link dev.plinth.core.resources.ModelOperation}). */
    private static void modelOperations(ObjectNode media, ObjectNode op) {
        var oneOf = media.putObject("schema").putArray("oneOf");
        var listed = op.putArray("x-plinth-operations");
        for (var o : dev.plinth.core.resources.ModelOperation.ALL) {
            ObjectNode schema = oneOf.addObject().put("title", o.model() + " " + o.name()).put("type", "object");
            ObjectNode props = schema.putObject("properties");
            o.request().forEach((field, text) -> property(props, field, text));
            ObjectNode entry = listed.addObject().put("model", o.model()).put("op", o.name());
            ObjectNode answer = entry.putObject("answer").put("type", "object").putObject("properties");
            o.answer().forEach((field, text) -> property(answer, field, text));
            var refused = entry.putArray("refused");
            o.refused().forEach(refused::add);
        }
    }

    /** A property from "type: meaning" ({@code any} leaves the type open). */
    private static void property(ObjectNode properties, String field, String text) {
        int colon = text.indexOf(':');
        String type = text.substring(0, colon);
        ObjectNode p = properties.putObject(field).put("description", text.substring(colon + 1).trim());
        if (!type.equals("any")) {
            p.put("type", type);
        }
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
