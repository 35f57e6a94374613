package dev.plinth.engine.builtins.graphql;

import static dev.plinth.engine.builtins.graphql.Ast.node;
import static dev.plinth.engine.builtins.graphql.Ast.putList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.engine.builtins.graphql.Lexer.Kind;
import dev.plinth.engine.builtins.graphql.Lexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * GraphQL's executable and type-system grammars (spec §2, §3), building the tree of {@link Ast}
 * the way gqlparser does, including where it attaches comments (the group read before a
 * token belongs to the node that token starts) and what it accepts beyond the spec (an
 * extension of a type that is not defined, for one). The first error ends the parse.
 */
final class Parser {

    /**
     * Deeper nesting (selection sets, lists, list types together) is refused rather than
     * risking the evaluation thread's stack. gqlparser allows 1,000 levels on a goroutine's
     * growable stack; a builtin here runs on the JVM thread under the module's own frames, and
     * the parser, the validator and the answer's writer each recurse once per level, so
     * Plinth stops at 256: a deliberate difference (real documents nest a few dozen levels),
     * listed in docs/conformance.md.
     */
    static final int MAX_NESTING = 256;

    private static final Set<String> LOCATIONS = Set.of("QUERY", "MUTATION", "SUBSCRIPTION", "FIELD",
            "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA", "SCALAR",
            "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE", "UNION", "ENUM", "ENUM_VALUE",
            "INPUT_OBJECT", "INPUT_FIELD_DEFINITION", "DIRECTIVE_DEFINITION");

    private final Lexer lexer;
    private Token peeked;
    private Token prev = new Token(Kind.EOF, "", 1, 1);
    private ObjectNode comment;
    private boolean consumingComments;
    private int depth;

    private Parser(String input) {
        this.lexer = new Lexer(input);
    }

    static ObjectNode query(String input) {
        return new Parser(input).queryDocument();
    }

    /** A schema document; {@code builtIn} marks its definitions as the prelude's. */
    static ObjectNode schema(String input, boolean builtIn) {
        ObjectNode doc = new Parser(input).schemaDocument();
        for (String list : List.of("Definitions", "Extensions")) {
            Ast.list(doc, list).forEach(d -> ((ObjectNode) d).put("BuiltIn", builtIn));
        }
        return doc;
    }

    // Tokens and comments.

    private Token peek() {
        if (peeked == null) {
            peeked = lexer.next();
            if (peeked.kind() == Kind.COMMENT) {
                commentGroup();
            }
        }
        return peeked;
    }

    private Token next() {
        if (peeked != null) {
            prev = peeked;
            peeked = null;
            comment = null;
        } else {
            prev = lexer.next();
            if (prev.kind() == Kind.COMMENT) {
                commentGroup();
            }
        }
        return prev;
    }

    private void commentGroup() {
        if (consumingComments) {
            return;
        }
        consumingComments = true;
        var list = new ArrayList<JsonNode>();
        while (peek().kind() == Kind.COMMENT) {
            Token t = next();
            list.add(node("Comment").put("Value", t.value()));
        }
        ObjectNode group = node("CommentGroup");
        putList(group, "List", list);
        comment = group;
        consumingComments = false;
    }

    private GraphQlException error(Token at, String message) {
        return new GraphQlException(message, at.line(), at.column());
    }

    private GraphQlException unexpected(Token t) {
        return error(t, "Unexpected " + describe(t));
    }

    private static String describe(Token t) {
        return switch (t.kind()) {
            case NAME -> "Name \"" + t.value() + "\"";
            case INT, FLOAT -> t.kind() + " \"" + t.value() + "\"";
            case STRING, BLOCK_STRING -> "String \"" + t.value() + "\"";
            default -> t.kind().toString();
        };
    }

    private Token expect(Kind kind) {
        Token t = peek();
        if (t.kind() != kind) {
            throw error(t, "Expected " + kind + ", found " + t.kind());
        }
        return next();
    }

    /** The comment group before the token {@link #expect} would take, and the token. */
    private ObjectNode expectKeyword(String word) {
        Token t = peek();
        ObjectNode before = comment;
        if (t.kind() != Kind.NAME || !t.value().equals(word)) {
            throw error(t, "Expected \"" + word + "\", found " + describe(t));
        }
        next();
        return before;
    }

    private boolean skip(Kind kind) {
        if (peek().kind() != kind) {
            return false;
        }
        next();
        return true;
    }

    /** {@code start item* end}, absent if {@code start} is not next. */
    private void many(Kind start, Kind end, Runnable item) {
        if (!skip(start)) {
            return;
        }
        while (peek().kind() != end) {
            if (peek().kind() == Kind.EOF) {
                throw unexpected(peek());
            }
            item.run();
        }
        next();
    }

    /** {@code start item+ end}; answers the comments before {@code end}. */
    private ObjectNode some(Kind start, Kind end, Runnable item) {
        if (!skip(start)) {
            return null;
        }
        boolean called = false;
        while (peek().kind() != end) {
            if (peek().kind() == Kind.EOF && called) {
                throw unexpected(peek());
            }
            called = true;
            item.run();
        }
        if (!called) {
            throw error(peek(), "expected at least one definition, found " + peek().kind());
        }
        ObjectNode before = comment;
        next();
        return before;
    }

    private void enter() {
        if (depth >= MAX_NESTING) {
            throw error(peek(), "exceeded maximum nesting depth of " + MAX_NESTING);
        }
        depth++;
    }

    private String name() {
        return expect(Kind.NAME).value();
    }

    private static void putComment(ObjectNode node, String field, ObjectNode group) {
        if (group != null) {
            node.set(field, group);
        }
    }

    private static ObjectNode join(ObjectNode before, ObjectNode after) {
        if (before == null) {
            return after;
        }
        if (after == null) {
            return before;
        }
        ObjectNode group = node("CommentGroup");
        var all = new ArrayList<JsonNode>(Ast.list(before, "List"));
        all.addAll(Ast.list(after, "List"));
        putList(group, "List", all);
        return group;
    }

    private record Description(String text, ObjectNode comment, boolean present) {
        static final Description NONE = new Description("", null, false);
    }

    private Description description() {
        Token t = peek();
        if (t.kind() != Kind.STRING && t.kind() != Kind.BLOCK_STRING) {
            return Description.NONE;
        }
        ObjectNode before = comment;
        return new Description(next().value(), before, true);
    }

    // Executable documents.

    private ObjectNode queryDocument() {
        var operations = new ArrayList<JsonNode>();
        var fragments = new ArrayList<JsonNode>();
        while (peek().kind() != Kind.EOF) {
            Description d = description();
            Token t = peek();
            if (t.kind() == Kind.NAME && Set.of("query", "mutation", "subscription").contains(t.value())) {
                operations.add(operation(d));
            } else if (t.kind() == Kind.NAME && t.value().equals("fragment")) {
                fragments.add(fragmentDefinition(d));
            } else if (t.kind() == Kind.BRACE_L) {
                operations.add(operation(d));
            } else {
                throw unexpected(t);
            }
        }
        ObjectNode doc = node("QueryDocument");
        putList(doc, "Operations", operations);
        putList(doc, "Fragments", fragments);
        return doc;
    }

    private ObjectNode operation(Description d) {
        ObjectNode op = node("OperationDefinition");
        if (peek().kind() == Kind.BRACE_L) {
            if (d.present()) {
                throw unexpected(prev);
            }
            // gqlparser reads the comment in the same composite literal as it parses the
            // selection set, and Go evaluates the call first: the comment is gone by then.
            op.put("Operation", "query");
            putList(op, "SelectionSet", selectionSet(true));
            return op;
        }
        op.put("Description", d.text());
        putComment(op, "Comment", join(d.comment(), comment));
        op.put("Operation", operationType());
        if (peek().kind() == Kind.NAME) {
            op.put("Name", next().value());
        }
        putList(op, "VariableDefinitions", variableDefinitions());
        putList(op, "Directives", directives(false));
        putList(op, "SelectionSet", selectionSet(true));
        return op;
    }

    private String operationType() {
        Token t = next();
        return switch (t.value()) {
            case "query", "mutation", "subscription" -> t.value();
            default -> throw unexpected(t);
        };
    }

    private List<JsonNode> variableDefinitions() {
        var defs = new ArrayList<JsonNode>();
        some(Kind.PAREN_L, Kind.PAREN_R, () -> {
            Description d = description();
            ObjectNode def = node("VariableDefinition");
            def.put("Description", d.text());
            putComment(def, "Comment", join(d.comment(), comment));
            expect(Kind.DOLLAR);
            def.put("Variable", name());
            typed(def, true, false);
            defs.add(def);
        });
        return defs;
    }

    private List<JsonNode> selectionSet(boolean required) {
        if (required && peek().kind() != Kind.BRACE_L) {
            throw error(peek(), "Expected " + Kind.BRACE_L + ", found " + peek().kind());
        }
        enter();
        var selections = new ArrayList<JsonNode>();
        some(Kind.BRACE_L, Kind.BRACE_R, () -> selections.add(peek().kind() == Kind.SPREAD ? fragment() : field()));
        depth--;
        return selections;
    }

    private ObjectNode field() {
        ObjectNode f = node("Field");
        putComment(f, "Comment", comment);
        String alias = name();
        f.put("Alias", alias);
        f.put("Name", skip(Kind.COLON) ? name() : alias);
        putList(f, "Arguments", arguments(false));
        putList(f, "Directives", directives(false));
        if (peek().kind() == Kind.BRACE_L) {
            putList(f, "SelectionSet", selectionSet(false));
        }
        return f;
    }

    private List<JsonNode> arguments(boolean isConst) {
        var args = new ArrayList<JsonNode>();
        some(Kind.PAREN_L, Kind.PAREN_R, () -> {
            ObjectNode arg = node("Argument");
            putComment(arg, "Comment", comment);
            arg.put("Name", name());
            expect(Kind.COLON);
            arg.set("Value", value(isConst));
            args.add(arg);
        });
        return args;
    }

    private ObjectNode fragment() {
        peek();
        ObjectNode before = comment;
        expect(Kind.SPREAD);
        Token t = peek();
        if (t.kind() == Kind.NAME && !t.value().equals("on")) {
            ObjectNode spread = node("FragmentSpread");
            putComment(spread, "Comment", before);
            spread.put("Name", fragmentName());
            putList(spread, "Directives", directives(false));
            return spread;
        }
        ObjectNode inline = node("InlineFragment");
        putComment(inline, "Comment", before);
        if (peek().value().equals("on")) {
            next();
            inline.put("TypeCondition", name());
        }
        putList(inline, "Directives", directives(false));
        putList(inline, "SelectionSet", selectionSet(true));
        return inline;
    }

    private ObjectNode fragmentDefinition(Description d) {
        ObjectNode def = node("FragmentDefinition");
        def.put("Description", d.text());
        putComment(def, "Comment", join(d.comment(), comment));
        expectKeyword("fragment");
        def.put("Name", fragmentName());
        putList(def, "VariableDefinition", variableDefinitions());
        expectKeyword("on");
        def.put("TypeCondition", name());
        putList(def, "Directives", directives(false));
        putList(def, "SelectionSet", selectionSet(true));
        return def;
    }

    private String fragmentName() {
        if (peek().value().equals("on")) {
            throw unexpected(peek());
        }
        return name();
    }

    private ObjectNode value(boolean isConst) {
        Token t = peek();
        int kind;
        switch (t.kind()) {
            case BRACKET_L -> {
                return composite(isConst, false);
            }
            case BRACE_L -> {
                return composite(isConst, true);
            }
            case DOLLAR -> {
                if (isConst) {
                    throw unexpected(t);
                }
                // No comment, for the same reason as a shorthand operation's.
                ObjectNode v = node("Value");
                expect(Kind.DOLLAR);
                v.put("Raw", name());
                v.put("Kind", Ast.VARIABLE);
                return v;
            }
            case INT -> kind = Ast.INT;
            case FLOAT -> kind = Ast.FLOAT;
            case STRING -> kind = Ast.STRING;
            case BLOCK_STRING -> kind = Ast.BLOCK;
            case NAME -> kind = switch (t.value()) {
                case "true", "false" -> Ast.BOOLEAN;
                case "null" -> Ast.NULL;
                default -> Ast.ENUM;
            };
            default -> throw unexpected(t);
        }
        next();
        // gqlparser takes the comment after consuming the token, when none is pending.
        ObjectNode v = node("Value");
        putComment(v, "Comment", comment);
        v.put("Raw", t.value());
        v.put("Kind", kind);
        return v;
    }

    /** A list ({@code [v ...]}) or an input object ({@code {name: v ...}}) literal. */
    private ObjectNode composite(boolean isConst, boolean isObject) {
        enter();
        ObjectNode v = node("Value");
        putComment(v, "Comment", comment);
        var children = new ArrayList<JsonNode>();
        many(isObject ? Kind.BRACE_L : Kind.BRACKET_L, isObject ? Kind.BRACE_R : Kind.BRACKET_R, () -> {
            ObjectNode child = node("ChildValue");
            if (isObject) {
                putComment(child, "Comment", comment);
                child.put("Name", name());
                expect(Kind.COLON);
            }
            child.set("Value", value(isConst));
            children.add(child);
        });
        depth--;
        putList(v, "Children", children);
        v.put("Kind", isObject ? Ast.OBJECT : Ast.LIST);
        return v;
    }

    private List<JsonNode> directives(boolean isConst) {
        var out = new ArrayList<JsonNode>();
        while (peek().kind() == Kind.AT) {
            expect(Kind.AT);
            ObjectNode d = node("Directive");
            d.put("Name", name());
            putList(d, "Arguments", arguments(isConst));
            out.add(d);
        }
        return out;
    }

    private ObjectNode typeReference() {
        ObjectNode type = node("Type");
        if (skip(Kind.BRACKET_L)) {
            enter();
            type.set("Elem", typeReference());
            expect(Kind.BRACKET_R);
            depth--;
        } else {
            type.put("NamedType", name());
        }
        if (skip(Kind.BANG)) {
            type.put("NonNull", true);
        }
        return type;
    }

    // Type-system documents.

    private ObjectNode schemaDocument() {
        var lists = new java.util.LinkedHashMap<String, List<JsonNode>>();
        for (String l : List.of("Schema", "SchemaExtension", "Directives", "DirectiveExtensions", "Definitions", "Extensions")) {
            lists.put(l, new ArrayList<>());
        }
        while (peek().kind() != Kind.EOF) {
            Description d = description();
            Token t = peek();
            if (t.kind() != Kind.NAME) {
                throw unexpected(t);
            }
            switch (t.value()) {
                case "scalar", "type", "interface", "union", "enum", "input" -> lists.get("Definitions").add(typeDefinition(d, false, null));
                case "schema" -> lists.get("Schema").add(schemaDefinition(d, false, null));
                case "directive" -> lists.get("Directives").add(directiveDefinition(d, false, null));
                case "extend" -> {
                    if (!d.text().isEmpty()) {
                        throw unexpected(prev);
                    }
                    ObjectNode before = expectKeyword("extend");
                    switch (peek().value()) {
                        case "schema" -> lists.get("SchemaExtension").add(schemaDefinition(Description.NONE, true, before));
                        case "scalar", "type", "interface", "union", "enum", "input" ->
                                lists.get("Extensions").add(typeDefinition(Description.NONE, true, before));
                        case "directive" -> lists.get("DirectiveExtensions").add(directiveDefinition(Description.NONE, true, before));
                        default -> throw unexpected(peek());
                    }
                }
                default -> throw unexpected(t);
            }
        }
        ObjectNode doc = node("SchemaDocument");
        lists.forEach((field, items) -> putList(doc, field, items));
        putComment(doc, "Comment", comment);
        return doc;
    }

    private ObjectNode schemaDefinition(Description d, boolean extension, ObjectNode extendComment) {
        ObjectNode def = started("SchemaDefinition", "schema", d, extension, extendComment);
        var directives = directives(true);
        putList(def, "Directives", directives);
        var ops = new ArrayList<JsonNode>();
        putComment(def, "EndOfDefinitionComment", some(Kind.BRACE_L, Kind.BRACE_R, () -> {
            ObjectNode op = node("OperationTypeDefinition");
            putComment(op, "Comment", comment);
            op.put("Operation", operationType());
            expect(Kind.COLON);
            op.put("Type", name());
            ops.add(op);
        }));
        putList(def, "OperationTypes", ops);
        if (extension && directives.isEmpty() && ops.isEmpty()) {
            throw unexpected(peek());
        }
        return def;
    }

    /**
     * The node a definition or an extension starts, its keyword read: the description and the
     * comments before it and before the keyword (or before {@code extend}) placed as gqlparser does.
     */
    private ObjectNode started(String type, String keyword, Description d, boolean extension, ObjectNode extendComment) {
        ObjectNode keywordComment = expectKeyword(keyword);
        ObjectNode def = node(type);
        if (extension) {
            putComment(def, "AfterDescriptionComment", extendComment);
        } else {
            putComment(def, "BeforeDescriptionComment", d.comment());
            def.put("Description", d.text());
            putComment(def, "AfterDescriptionComment", keywordComment);
        }
        return def;
    }

    private ObjectNode typeDefinition(Description d, boolean extension, ObjectNode extendComment) {
        String keyword = peek().value();
        ObjectNode def = started("Definition", keyword, d, extension, extendComment);
        String kind = switch (keyword) {
            case "scalar" -> "SCALAR";
            case "type" -> "OBJECT";
            case "interface" -> "INTERFACE";
            case "union" -> "UNION";
            case "enum" -> "ENUM";
            default -> "INPUT_OBJECT";
        };
        def.put("Kind", kind);
        def.put("Name", name());
        boolean empty;
        switch (kind) {
            case "SCALAR" -> {
                var dirs = directives(true);
                putList(def, "Directives", dirs);
                empty = dirs.isEmpty();
            }
            case "OBJECT", "INTERFACE" -> {
                var interfaces = implementsInterfaces();
                Ast.putStrings(def, "Interfaces", interfaces);
                var dirs = directives(true);
                putList(def, "Directives", dirs);
                var fields = new ArrayList<JsonNode>();
                putComment(def, "EndOfDefinitionComment", some(Kind.BRACE_L, Kind.BRACE_R, () -> fields.add(fieldDefinition(true))));
                putList(def, "Fields", fields);
                empty = interfaces.isEmpty() && dirs.isEmpty() && fields.isEmpty();
            }
            case "UNION" -> {
                var dirs = directives(true);
                putList(def, "Directives", dirs);
                var types = new ArrayList<String>();
                if (skip(Kind.EQUALS)) {
                    skip(Kind.PIPE);
                    types.add(name());
                    while (skip(Kind.PIPE)) {
                        types.add(name());
                    }
                }
                Ast.putStrings(def, "Types", types);
                empty = dirs.isEmpty() && types.isEmpty();
            }
            case "ENUM" -> {
                var dirs = directives(true);
                putList(def, "Directives", dirs);
                var values = new ArrayList<JsonNode>();
                putComment(def, "EndOfDefinitionComment", some(Kind.BRACE_L, Kind.BRACE_R, () -> {
                    ObjectNode v = node("EnumValueDefinition");
                    describe(v);
                    v.put("Name", name());
                    putList(v, "Directives", directives(true));
                    values.add(v);
                }));
                putList(def, "EnumValues", values);
                empty = dirs.isEmpty() && values.isEmpty();
            }
            default -> {
                // gqlparser reads an input extension's directives as non-constant.
                var dirs = directives(!extension);
                putList(def, "Directives", dirs);
                var fields = new ArrayList<JsonNode>();
                putComment(def, "EndOfDefinitionComment", some(Kind.BRACE_L, Kind.BRACE_R, () -> fields.add(fieldDefinition(false))));
                putList(def, "Fields", fields);
                empty = dirs.isEmpty() && fields.isEmpty();
            }
        }
        if (extension && empty) {
            throw unexpected(peek());
        }
        return def;
    }

    /** A field's, argument's or enum value's description and the comments around it. */
    private void describe(ObjectNode def) {
        Description d = description();
        if (!d.text().isEmpty()) {
            putComment(def, "BeforeDescriptionComment", d.comment());
            def.put("Description", d.text());
        }
        peek();
        putComment(def, "AfterDescriptionComment", comment);
    }

    private List<String> implementsInterfaces() {
        var types = new ArrayList<String>();
        if (peek().value().equals("implements")) {
            next();
            skip(Kind.AMP);
            types.add(name());
            while (skip(Kind.AMP)) {
                types.add(name());
            }
        }
        return types;
    }

    /** An object's field (with arguments) or an input object's field (with a default). */
    private ObjectNode fieldDefinition(boolean withArguments) {
        ObjectNode def = node("FieldDefinition");
        describe(def);
        def.put("Name", name());
        if (withArguments) {
            putList(def, "Arguments", argumentDefinitions());
        }
        typed(def, !withArguments, true);
        return def;
    }

    /** {@code : Type (= default)? directives}: the tail of a variable, an argument or an input field. */
    private void typed(ObjectNode def, boolean withDefault, boolean constDirectives) {
        expect(Kind.COLON);
        def.set("Type", typeReference());
        if (withDefault && skip(Kind.EQUALS)) {
            def.set("DefaultValue", value(true));
        }
        putList(def, "Directives", directives(constDirectives));
    }

    private List<JsonNode> argumentDefinitions() {
        var args = new ArrayList<JsonNode>();
        some(Kind.PAREN_L, Kind.PAREN_R, () -> {
            ObjectNode def = node("ArgumentDefinition");
            describe(def);
            def.put("Name", name());
            typed(def, true, true);
            args.add(def);
        });
        return args;
    }

    private ObjectNode directiveDefinition(Description d, boolean extension, ObjectNode extendComment) {
        ObjectNode def = started("DirectiveDefinition", "directive", d, extension, extendComment);
        expect(Kind.AT);
        if (extension) {
            def.put("Name", name());
            var dirs = directives(true);
            if (dirs.isEmpty()) {
                throw unexpected(peek());
            }
            putList(def, "Directives", dirs);
            return def;
        }
        def.put("Name", name());
        putList(def, "Arguments", argumentDefinitions());
        putList(def, "Directives", directives(true));
        if (peek().kind() == Kind.NAME && peek().value().equals("repeatable")) {
            def.put("IsRepeatable", true);
            next();
        }
        expectKeyword("on");
        skip(Kind.PIPE);
        var locations = new ArrayList<String>();
        locations.add(location());
        while (skip(Kind.PIPE)) {
            locations.add(location());
        }
        Ast.putStrings(def, "Locations", locations);
        return def;
    }

    private String location() {
        Token t = expect(Kind.NAME);
        if (!LOCATIONS.contains(t.value())) {
            throw unexpected(t);
        }
        return t.value();
    }
}
