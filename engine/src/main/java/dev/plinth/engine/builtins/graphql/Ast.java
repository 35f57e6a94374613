package dev.plinth.engine.builtins.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The GraphQL syntax tree as OPA's builtins show it to a policy: the node types and field
 * names of gqlparser's Go structs, marshalled to JSON, with {@code Position}, nulls and empty
 * lists and objects pruned. The tree is kept in that form (JSON objects) so that what the
 * parser builds, what a policy passes back in (graphql.is_valid accepts a tree as well as
 * text) and what is answered are one representation; this table is its only definition.
 */
final class Ast {

    static final JsonNodeFactory F = JsonNodeFactory.withExactBigDecimals(true);

    private static final String COMMENTS = " BeforeDescriptionComment:CommentGroup AfterDescriptionComment:CommentGroup";

    /**
     * Each node type's fields: {@code s} string, {@code b} bool, {@code i} int, {@code [s} list
     * of strings, {@code [T} list of T, {@code T} one T. Validation-only fields (a resolved
     * {@code Definition}) are left out: OPA answers the tree as parsed, before validation.
     */
    private static final Map<String, Map<String, String>> SHAPES = shapes(
            "QueryDocument: Operations:[OperationDefinition Fragments:[FragmentDefinition Comment:CommentGroup",
            "OperationDefinition: Description:s Operation:s Name:s VariableDefinitions:[VariableDefinition Directives:[Directive SelectionSet:[Selection Comment:CommentGroup",
            "VariableDefinition: Description:s Variable:s Type:Type DefaultValue:Value Directives:[Directive Comment:CommentGroup Used:b",
            "Field: Alias:s Name:s Arguments:[Argument Directives:[Directive SelectionSet:[Selection Comment:CommentGroup",
            "FragmentSpread: Name:s Directives:[Directive Comment:CommentGroup",
            "InlineFragment: TypeCondition:s Directives:[Directive SelectionSet:[Selection Comment:CommentGroup",
            "FragmentDefinition: Description:s Name:s VariableDefinition:[VariableDefinition TypeCondition:s Directives:[Directive SelectionSet:[Selection Comment:CommentGroup",
            "Argument: Name:s Value:Value Comment:CommentGroup",
            "Value: Raw:s Children:[ChildValue Kind:i Comment:CommentGroup ExpectedTypeHasDefault:b",
            "ChildValue: Name:s Value:Value Comment:CommentGroup",
            "Directive: Name:s Arguments:[Argument Location:s",
            "Type: NamedType:s Elem:Type NonNull:b",
            "CommentGroup: List:[Comment",
            "Comment: Value:s",
            "SchemaDocument: Schema:[SchemaDefinition SchemaExtension:[SchemaDefinition Directives:[DirectiveDefinition DirectiveExtensions:[DirectiveDefinition Definitions:[Definition Extensions:[Definition Comment:CommentGroup",
            "SchemaDefinition: Description:s Directives:[Directive OperationTypes:[OperationTypeDefinition EndOfDefinitionComment:CommentGroup" + COMMENTS,
            "OperationTypeDefinition: Operation:s Type:s Comment:CommentGroup",
            "Definition: Kind:s Description:s Name:s Directives:[Directive Interfaces:[s Fields:[FieldDefinition Types:[s EnumValues:[EnumValueDefinition BuiltIn:b EndOfDefinitionComment:CommentGroup" + COMMENTS,
            "FieldDefinition: Description:s Name:s Arguments:[ArgumentDefinition DefaultValue:Value Type:Type Directives:[Directive" + COMMENTS,
            "ArgumentDefinition: Description:s Name:s DefaultValue:Value Type:Type Directives:[Directive" + COMMENTS,
            "EnumValueDefinition: Description:s Name:s Directives:[Directive" + COMMENTS,
            "DirectiveDefinition: Description:s Name:s Arguments:[ArgumentDefinition Directives:[Directive Locations:[s IsRepeatable:b" + COMMENTS);

    /**
     * The fields gqlparser's own JSON decoders read back for these types (they skip
     * descriptions and comments); a selection given as JSON always decodes as a Field, as
     * gqlparser's does.
     */
    private static final Map<String, Set<String>> DECODED = Map.of(
            "OperationDefinition", Set.of("Operation", "Name", "VariableDefinitions", "Directives", "SelectionSet"),
            "Field", Set.of("Alias", "Name", "Arguments", "Directives", "SelectionSet"),
            "FragmentDefinition", Set.of("Name", "VariableDefinition", "TypeCondition", "Directives", "SelectionSet"));

    /** Value kinds, numbered as gqlparser's ast.ValueKind. */
    static final int VARIABLE = 0, INT = 1, FLOAT = 2, STRING = 3, BLOCK = 4, BOOLEAN = 5, NULL = 6, ENUM = 7, LIST = 8, OBJECT = 9;

    private Ast() {}

    private static Map<String, Map<String, String>> shapes(String... lines) {
        var out = new LinkedHashMap<String, Map<String, String>>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            var fields = new LinkedHashMap<String, String>();
            for (String f : line.substring(colon + 1).trim().split(" +")) {
                int c = f.indexOf(':');
                fields.put(f.substring(0, c), f.substring(c + 1));
            }
            out.put(line.substring(0, colon), fields);
        }
        return out;
    }

    /** A node of this type with its scalar fields at Go's zero values. */
    static ObjectNode node(String type) {
        var node = F.objectNode();
        shape(type).forEach((field, kind) -> {
            switch (kind) {
                case "s" -> node.put(field, "");
                case "b" -> node.put(field, false);
                case "i" -> node.put(field, 0);
                default -> {}
            }
        });
        return node;
    }

    private static Map<String, String> shape(String type) {
        var shape = SHAPES.get(type);
        if (shape == null) {
            throw new IllegalArgumentException("no GraphQL node type " + type);
        }
        return shape;
    }

    /** Adds a list field only when it has elements (Go's nil slice). */
    static void putList(ObjectNode node, String field, List<? extends JsonNode> items) {
        if (items != null && !items.isEmpty()) {
            node.set(field, F.arrayNode().addAll(items));
        }
    }

    static void putStrings(ObjectNode node, String field, List<String> items) {
        if (!items.isEmpty()) {
            var a = node.putArray(field);
            items.forEach(a::add);
        }
    }

    /**
     * A tree a policy passed in, read as gqlparser's JSON decoding reads it into its structs:
     * unknown fields are ignored, missing ones take zero values, a wrongly typed one fails.
     */
    static ObjectNode decode(JsonNode value, String type) {
        if (!value.isObject()) {
            throw new GraphQlException("cannot decode " + type + " from " + value.getNodeType());
        }
        String as = type.equals("Selection") ? "Field" : type;
        var only = DECODED.get(as);
        var node = node(as);
        for (var e : shape(as).entrySet()) {
            String field = e.getKey();
            JsonNode v = value.get(field);
            if (v == null || v.isNull() || (only != null && !only.contains(field))) {
                continue;
            }
            String kind = e.getValue();
            switch (kind) {
                case "s" -> node.put(field, expect(v.isTextual(), v, field).textValue());
                case "b" -> node.put(field, expect(v.isBoolean(), v, field).booleanValue());
                case "i" -> node.put(field, expect(v.canConvertToExactIntegral() && v.canConvertToLong(), v, field).longValue());
                case "[s" -> {
                    var out = node.putArray(field);
                    expect(v.isArray(), v, field).forEach(s -> out.add(expect(s.isTextual(), s, field).textValue()));
                }
                default -> {
                    if (kind.startsWith("[")) {
                        var out = F.arrayNode();
                        for (JsonNode item : expect(v.isArray(), v, field)) {
                            if (!item.isNull()) {
                                out.add(decode(item, kind.substring(1)));
                            }
                        }
                        node.set(field, out);
                    } else {
                        node.set(field, decode(v, kind));
                    }
                }
            }
        }
        return node;
    }

    private static JsonNode expect(boolean ok, JsonNode v, String field) {
        if (!ok) {
            throw new GraphQlException("cannot decode " + field + " from " + v.getNodeType());
        }
        return v;
    }

    /** OPA's pruning: no Position, no nulls, no empty arrays or objects (after pruning them). */
    static JsonNode prune(JsonNode value) {
        if (value.isArray()) {
            ArrayNode out = F.arrayNode();
            for (JsonNode e : value) {
                JsonNode p = prune(e);
                if (!p.isNull() && !((p.isArray() || p.isObject()) && p.isEmpty())) {
                    out.add(p);
                }
            }
            return out;
        }
        if (value.isObject()) {
            ObjectNode out = F.objectNode();
            value.properties().forEach(e -> {
                if (e.getKey().equals("Position")) {
                    return;
                }
                JsonNode p = prune(e.getValue());
                if (!p.isNull() && !((p.isArray() || p.isObject()) && p.isEmpty())) {
                    out.set(e.getKey(), p);
                }
            });
            return out;
        }
        return value;
    }

    // Readers over a tree whose missing fields are Go's zero values.

    static String str(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || !v.isTextual() ? "" : v.textValue();
    }

    static boolean bool(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.asBoolean(false);
    }

    static List<JsonNode> list(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !v.isArray()) {
            return List.of();
        }
        var out = new java.util.ArrayList<JsonNode>(v.size());
        v.forEach(out::add);
        return out;
    }

    static List<String> strings(JsonNode node, String field) {
        return list(node, field).stream().map(JsonNode::asText).toList();
    }

    static JsonNode obj(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || !v.isObject() ? null : v;
    }

    static boolean isField(JsonNode selection) {
        return selection.has("Alias");
    }

    static boolean isInlineFragment(JsonNode selection) {
        return selection.has("TypeCondition");
    }

    /** The named type under a type's list wrappers. */
    static String typeName(JsonNode type) {
        while (type != null) {
            String named = str(type, "NamedType");
            if (!named.isEmpty()) {
                return named;
            }
            type = obj(type, "Elem");
        }
        return "";
    }

    static String typeString(JsonNode type) {
        if (type == null) {
            return "";
        }
        String nn = bool(type, "NonNull") ? "!" : "";
        String named = str(type, "NamedType");
        return named.isEmpty() ? "[" + typeString(obj(type, "Elem")) + "]" + nn : named + nn;
    }
}
