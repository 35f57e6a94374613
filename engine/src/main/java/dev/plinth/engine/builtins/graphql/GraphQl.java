package dev.plinth.engine.builtins.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * GraphQL documents as OPA's graphql.* builtins see them: text or an already-parsed tree in,
 * gqlparser-shaped trees out, validity decided by gqlparser's rules. Written here rather
 * than on graphql-java because what a policy observes is gqlparser's: its tree (node types,
 * field names, where comments attach) and its validation, which differs from graphql-java's
 * (an extension may create the type it extends; a selection passed as a tree is a field).
 */
public final class GraphQl {

    /**
     * Validated schemas by their text: a policy typically checks many queries against one
     * schema, and OPA caches them the same way. Bounded by total text size.
     */
    private static final Cache<String, Schema> SCHEMAS = Caffeine.newBuilder()
            .maximumWeight(16L << 20)
            .<String, Schema>weigher((k, v) -> k.length())
            .build();

    private GraphQl() {}

    /** A parsed executable document, as answered. */
    public static JsonNode parseQuery(String text) {
        return Ast.prune(Parser.query(text));
    }

    /** A parsed (not validated) schema document, as answered. */
    public static JsonNode parseSchema(String text) {
        return Ast.prune(Parser.schema(text, false));
    }

    /** A query given as text or tree, read into the working tree. */
    public static ObjectNode query(JsonNode value) {
        return bounded(() -> value.isTextual() ? Parser.query(value.textValue()) : Ast.decode(value, "QueryDocument"));
    }

    /** A schema given as text or tree, read into the working tree. */
    public static ObjectNode schemaDocument(JsonNode value) {
        return bounded(() -> value.isTextual() ? Parser.schema(value.textValue(), false) : Ast.decode(value, "SchemaDocument"));
    }

    /**
     * A tree passed in is not depth-limited by the parser, so exhausting the stack on one is
     * an invalid document too (the work is pure: unwinding it leaves nothing behind).
     */
    private static <T> T bounded(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (StackOverflowError e) {
            throw new GraphQlException("document nested too deeply");
        }
    }

    public static JsonNode answer(ObjectNode tree) {
        return Ast.prune(tree);
    }

    /** Validates a schema document; throws {@link GraphQlException} naming what is wrong. */
    public static void validateSchema(JsonNode schemaArgument, ObjectNode document) {
        bounded(() -> schema(schemaArgument, document));
    }

    /** Validates a query against a schema; throws {@link GraphQlException} naming the first broken rule. */
    public static void validateQuery(ObjectNode query, JsonNode schemaArgument, ObjectNode schemaDocument) {
        bounded(() -> {
            Validator.validate(schema(schemaArgument, schemaDocument), query);
            return null;
        });
    }

    private static Schema schema(JsonNode argument, ObjectNode document) {
        String key = argument.isTextual() ? "s" + argument.textValue() : "o" + argument;
        Schema cached = SCHEMAS.getIfPresent(key);
        if (cached == null) {
            cached = Schema.load(document);
            SCHEMAS.put(key, cached);
        }
        return cached;
    }
}
