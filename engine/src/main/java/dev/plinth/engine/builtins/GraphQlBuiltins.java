package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.engine.builtins.graphql.GraphQl;
import dev.plinth.engine.builtins.graphql.GraphQlException;
import java.util.List;

/**
 * graphql.*: parse_query and parse_schema answer the tree or fail; parse fails on anything
 * invalid; parse_and_verify, is_valid and schema_is_valid never fail, answering
 * {@code [false, {}, {}]} or false instead, as OPA's do.
 */
final class GraphQlBuiltins {

    private GraphQlBuiltins() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.pure("graphql.parse_query", 1, a -> GraphQl.parseQuery(Args.string(a, 0))),
                Builtin.pure("graphql.parse_schema", 1, a -> GraphQl.parseSchema(Args.string(a, 0))),
                Builtin.pure("graphql.parse", 2, a -> {
                    ObjectNode query = GraphQl.query(document(a, 0));
                    ObjectNode schema = GraphQl.schemaDocument(document(a, 1));
                    JsonNode schemaTree = GraphQl.answer(schema);
                    GraphQl.validateSchema(a[1], schema);
                    JsonNode queryTree = GraphQl.answer(query);
                    GraphQl.validateQuery(query, a[1], schema);
                    return Args.array(List.of(queryTree, schemaTree));
                }),
                Builtin.pure("graphql.parse_and_verify", 2, a -> {
                    try {
                        ObjectNode query = GraphQl.query(document(a, 0));
                        JsonNode queryTree = GraphQl.answer(query);
                        ObjectNode schema = GraphQl.schemaDocument(document(a, 1));
                        JsonNode schemaTree = GraphQl.answer(schema);
                        GraphQl.validateQuery(query, a[1], schema);
                        return Args.array(List.of(Args.bool(true), queryTree, schemaTree));
                    } catch (GraphQlException | BuiltinException e) {
                        return Args.array(List.of(Args.bool(false), Args.F.objectNode(), Args.F.objectNode()));
                    }
                }),
                Builtin.pure("graphql.is_valid", 2, a -> {
                    try {
                        GraphQl.validateQuery(GraphQl.query(document(a, 0)), a[1], GraphQl.schemaDocument(document(a, 1)));
                        return Args.bool(true);
                    } catch (GraphQlException | BuiltinException e) {
                        return Args.bool(false);
                    }
                }),
                Builtin.pure("graphql.schema_is_valid", 1, a -> {
                    try {
                        GraphQl.validateSchema(a[0], GraphQl.schemaDocument(document(a, 0)));
                        return Args.bool(true);
                    } catch (GraphQlException | BuiltinException e) {
                        return Args.bool(false);
                    }
                }));
    }

    /** A document operand: GraphQL text or a parsed tree. */
    private static JsonNode document(JsonNode[] a, int i) {
        if (!a[i].isTextual() && !(a[i].isObject())) {
            throw Args.typeError(i + 1, a[i], "string or object");
        }
        return a[i];
    }
}
