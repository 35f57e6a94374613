package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * strings.render_template: Go's text/template over the variables OPA hands it (JSON decoded
 * with numbers kept as their text, so a number behaves as a string, as in OPA). Actions,
 * pipelines, variables, if/else if/else, range (slices, maps in key order, integers, with
 * break and continue), with, comments and trim markers, and the builtin functions (and, or,
 * not, len, index, slice, print, printf, println, eq, ne, lt, le, gt, ge, html, js,
 * urlquery). Values print as Go's fmt prints them ({@code map[a:1]}, {@code [x y]}); a
 * missing key prints {@code <undefined>}, as OPA rewrites Go's {@code <no value>}. Named
 * templates ({@code define}, {@code template}, {@code block}) work within the one text.
 * Execution is bounded (steps, output size, template depth) so a template cannot run away.
 */
final class GoTemplate {

    /** OPA's variables keep numbers as json.Number: a string kind that prints its own text. */
    record Num(String text) {}

    /** Go's invalid value: what a missing map key yields; prints as {@code <no value>}. */
    private static final Object NO_VALUE = new Object();

    private GoTemplate() {}

    static Builtin builtin() {
        return Builtin.pure("strings.render_template", 2, a -> {
            String source = Args.string(a, 0);
            JsonNode vars = Args.object(a, 1);
            Object data = toGo(vars);
            var parser = new Parser(source);
            var nodes = parser.parse();
            var out = new StringBuilder();
            new Exec(out, parser.defined).run(nodes, data, new Scope(null, new HashMap<>(Map.of("$", data))));
            return Args.text(out.toString().replace("<no value>", "<undefined>"));
        });
    }

    private static Object toGo(JsonNode v) {
        if (v instanceof ValueText.SetNode) {
            throw new BuiltinException("json: cannot unmarshal a set");
        }
        if (v.isObject()) {
            var m = new TreeMap<String, Object>();
            v.properties().forEach(e -> m.put(e.getKey(), toGo(e.getValue())));
            return m;
        }
        if (v.isArray()) {
            var l = new ArrayList<Object>();
            v.forEach(e -> l.add(toGo(e)));
            return l;
        }
        if (v.isNumber()) {
            return new Num(v.isIntegralNumber() ? v.bigIntegerValue().toString() : v.decimalValue().toString());
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        return v.isNull() ? null : v.textValue();
    }

    // Syntax.

    sealed interface Node {}

    record Text(String text) implements Node {}

    record Action(Pipe pipe) implements Node {}

    record If(String kind, Pipe pipe, List<Node> then, List<Node> otherwise) implements Node {}

    record Break() implements Node {}

    /** {@code {{template "name" pipeline}}} (and the call half of {@code {{block}}}). */
    record Call(String name, Pipe pipe) implements Node {}

    record Continue() implements Node {}

    /** Variables declared ({@code :=}) or assigned ({@code =}), and commands. */
    record Pipe(List<String> vars, boolean assign, List<List<Arg>> commands) {}

    sealed interface Arg {}

    record Field(Arg receiver, List<String> names) implements Arg {}

    record Dot() implements Arg {}

    record Var(String name) implements Arg {}

    record Ident(String name) implements Arg {}

    record Literal(Object value) implements Arg {}

    record Nested(Pipe pipe) implements Arg {}

    static final class Parser {
        private final String s;
        private int at;
        private String pendingKeyword;
        final Map<String, List<Node>> defined = new HashMap<>();

        Parser(String s) {
            this.s = s;
        }

        List<Node> parse() {
            var nodes = list(Map.of());
            if (pendingKeyword != null) {
                throw new BuiltinException("template: unexpected {{" + pendingKeyword + "}}");
            }
            return nodes;
        }

        private static final Map<String, Boolean> IN_IF = Map.of("else", true, "end", true);

        /** Nodes up to an {@code end} or {@code else} (left in pendingKeyword) the caller expects. */
        private List<Node> list(Map<String, Boolean> stops) {
            var nodes = new ArrayList<Node>();
            while (at < s.length()) {
                int open = s.indexOf("{{", at);
                if (open < 0) {
                    nodes.add(new Text(s.substring(at)));
                    at = s.length();
                    break;
                }
                String text = s.substring(at, open);
                at = open + 2;
                boolean trimLeft = s.startsWith("- ", at) || s.startsWith("-\t", at) || s.startsWith("-\n", at) || s.startsWith("-\r", at);
                if (trimLeft) {
                    text = text.stripTrailing();
                    at++;
                }
                if (!text.isEmpty()) {
                    nodes.add(new Text(text));
                }
                skipSpace();
                if (s.startsWith("/*", at)) {
                    int close = s.indexOf("*/", at);
                    if (close < 0) {
                        throw new BuiltinException("template: unclosed comment");
                    }
                    at = close + 2;
                    closeAction();
                    continue;
                }
                String word = peekWord();
                switch (word) {
                    case "end", "else" -> {
                        if (!stops.containsKey(word)) {
                            throw new BuiltinException("template: unexpected {{" + word + "}}");
                        }
                        at += word.length();
                        pendingKeyword = word;
                        return nodes;
                    }
                    case "if", "range", "with" -> {
                        at += word.length();
                        nodes.add(control(word));
                    }
                    case "break", "continue" -> {
                        at += word.length();
                        closeAction();
                        nodes.add(word.equals("break") ? new Break() : new Continue());
                    }
                    case "define", "block" -> {
                        at += word.length();
                        skipSpace();
                        if (at >= s.length() || (s.charAt(at) != '"' && s.charAt(at) != '`')) {
                            throw new BuiltinException("template: " + word + " needs a name");
                        }
                        String name = string(s.charAt(at));
                        Pipe p = word.equals("block") ? pipe(false) : null;
                        closeAction();
                        String saved = pendingKeyword;
                        List<Node> body = list(Map.of("end", true));
                        pendingKeyword = saved;
                        closeAction();
                        defined.put(name, body);
                        if (p != null) {
                            nodes.add(new Call(name, p));
                        }
                    }
                    case "template" -> {
                        at += word.length();
                        skipSpace();
                        if (at >= s.length() || (s.charAt(at) != '"' && s.charAt(at) != '`')) {
                            throw new BuiltinException("template: template needs a name");
                        }
                        String name = string(s.charAt(at));
                        Pipe p = atActionEnd() ? null : pipe(false);
                        closeAction();
                        nodes.add(new Call(name, p));
                    }
                    default -> {
                        Pipe p = pipe(true);
                        closeAction();
                        nodes.add(new Action(p));
                    }
                }
            }
            if (!stops.isEmpty()) {
                throw new BuiltinException("template: unexpected EOF");
            }
            return nodes;
        }

        private If control(String kind) {
            Pipe p = pipe(true);
            closeAction();
            List<Node> then = list(IN_IF);
            List<Node> otherwise = List.of();
            if ("else".equals(pendingKeyword)) {
                pendingKeyword = null;
                skipSpace();
                String next = peekWord();
                if ((next.equals("if") && kind.equals("if")) || (next.equals("with") && kind.equals("with"))) {
                    at += next.length();
                    // {{else if}} is an {{if}} inside the else branch that shares its {{end}}.
                    otherwise = List.of(control(next));
                    return new If(kind, p, then, otherwise);
                }
                closeAction();
                otherwise = list(Map.of("end", true));
            }
            pendingKeyword = null;
            closeAction();
            return new If(kind, p, then, otherwise);
        }

        private void closeAction() {
            skipSpace();
            if (s.startsWith("-}}", at)) {
                at += 3;
                while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
                    at++;
                }
                return;
            }
            if (!s.startsWith("}}", at)) {
                throw new BuiltinException("template: unexpected text in action at " + at);
            }
            at += 2;
        }

        private void skipSpace() {
            while (at < s.length() && (s.charAt(at) == ' ' || s.charAt(at) == '\t' || s.charAt(at) == '\n' || s.charAt(at) == '\r')) {
                at++;
            }
        }

        private String peekWord() {
            int e = at;
            while (e < s.length() && Character.isLetter(s.charAt(e))) {
                e++;
            }
            return s.substring(at, e);
        }

        private boolean atActionEnd() {
            skipSpace();
            return s.startsWith("}}", at) || s.startsWith("-}}", at) || (at < s.length() && s.charAt(at) == ')');
        }

        private Pipe pipe(boolean allowDecl) {
            var vars = new ArrayList<String>();
            boolean assign = false;
            int save = at;
            skipSpace();
            if (allowDecl && at < s.length() && s.charAt(at) == '$') {
                var names = new ArrayList<String>();
                while (at < s.length() && s.charAt(at) == '$') {
                    names.add(variableName());
                    skipSpace();
                    if (at < s.length() && s.charAt(at) == ',') {
                        at++;
                        skipSpace();
                        continue;
                    }
                    break;
                }
                if (s.startsWith(":=", at)) {
                    at += 2;
                    vars.addAll(names);
                } else if (at < s.length() && s.charAt(at) == '=' && !s.startsWith("==", at)) {
                    at += 1;
                    vars.addAll(names);
                    assign = true;
                } else {
                    at = save;
                }
            }
            var commands = new ArrayList<List<Arg>>();
            while (true) {
                var command = new ArrayList<Arg>();
                while (!atActionEnd() && s.charAt(at) != '|') {
                    command.add(operand());
                }
                if (command.isEmpty()) {
                    throw new BuiltinException("template: missing value for command");
                }
                commands.add(command);
                skipSpace();
                if (at < s.length() && s.charAt(at) == '|') {
                    at++;
                    continue;
                }
                break;
            }
            return new Pipe(vars, assign, commands);
        }

        private String variableName() {
            int start = at;
            at++;
            while (at < s.length() && (Character.isLetterOrDigit(s.charAt(at)) || s.charAt(at) == '_')) {
                at++;
            }
            return s.substring(start, at);
        }

        private Arg operand() {
            skipSpace();
            char c = s.charAt(at);
            Arg base;
            if (c == '.') {
                if (at + 1 < s.length() && (Character.isLetter(s.charAt(at + 1)) || s.charAt(at + 1) == '_')) {
                    return new Field(new Dot(), fields());
                }
                at++;
                base = new Dot();
            } else if (c == '$') {
                base = new Var(variableName());
            } else if (c == '(') {
                at++;
                Pipe p = pipe(false);
                skipSpace();
                if (at >= s.length() || s.charAt(at) != ')') {
                    throw new BuiltinException("template: unclosed left paren");
                }
                at++;
                base = new Nested(p);
            } else if (c == '"' || c == '`') {
                base = new Literal(string(c));
            } else if (c == '\'') {
                int close = s.indexOf('\'', at + 1);
                String ch = s.substring(at + 1, close);
                at = close + 1;
                base = new Literal(BigInteger.valueOf(ch.codePointAt(0)));
            } else if (Character.isDigit(c) || ((c == '-' || c == '+') && at + 1 < s.length() && Character.isDigit(s.charAt(at + 1)))) {
                int start = at;
                at++;
                while (at < s.length() && (Character.isLetterOrDigit(s.charAt(at)) || s.charAt(at) == '.' || s.charAt(at) == '_'
                        || ((s.charAt(at) == '-' || s.charAt(at) == '+') && (s.charAt(at - 1) == 'e' || s.charAt(at - 1) == 'E')))) {
                    at++;
                }
                String text = s.substring(start, at).replace("_", "");
                try {
                    base = new Literal(text.matches("[-+]?\\d+") ? (Object) new BigInteger(text) : (Object) Double.parseDouble(text));
                } catch (NumberFormatException e) {
                    throw new BuiltinException("template: bad number syntax: " + text);
                }
            } else if (Character.isLetter(c) || c == '_') {
                int start = at;
                while (at < s.length() && (Character.isLetterOrDigit(s.charAt(at)) || s.charAt(at) == '_')) {
                    at++;
                }
                String word = s.substring(start, at);
                base = switch (word) {
                    case "true" -> new Literal(true);
                    case "false" -> new Literal(false);
                    case "nil" -> new Literal(null);
                    default -> new Ident(word);
                };
            } else {
                throw new BuiltinException("template: unexpected " + c + " in command");
            }
            if (at < s.length() && s.charAt(at) == '.' && !(base instanceof Literal) && !(base instanceof Ident)) {
                return new Field(base, fields());
            }
            return base;
        }

        private List<String> fields() {
            var names = new ArrayList<String>();
            while (at < s.length() && s.charAt(at) == '.') {
                at++;
                int start = at;
                while (at < s.length() && (Character.isLetterOrDigit(s.charAt(at)) || s.charAt(at) == '_')) {
                    at++;
                }
                names.add(s.substring(start, at));
            }
            return names;
        }

        private String string(char quote) {
            at++;
            var out = new StringBuilder();
            while (at < s.length() && s.charAt(at) != quote) {
                char c = s.charAt(at++);
                if (quote == '"' && c == '\\' && at < s.length()) {
                    char e = s.charAt(at++);
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'r' -> out.append('\r');
                        case '\\', '"', '\'' -> out.append(e);
                        case 'u' -> {
                            out.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                            at += 4;
                        }
                        default -> throw new BuiltinException("template: unknown escape \\" + e);
                    }
                } else {
                    out.append(c);
                }
            }
            if (at >= s.length()) {
                throw new BuiltinException("template: unterminated quoted string");
            }
            at++;
            return out.toString();
        }
    }

    // Execution.

    private record Scope(Scope parent, Map<String, Object> vars) {
        Object get(String name) {
            for (Scope sc = this; sc != null; sc = sc.parent) {
                if (sc.vars.containsKey(name)) {
                    return sc.vars.get(name);
                }
            }
            throw new BuiltinException("template: undefined variable: " + name);
        }

        void set(String name, Object value) {
            for (Scope sc = this; sc != null; sc = sc.parent) {
                if (sc.vars.containsKey(name)) {
                    sc.vars.put(name, value);
                    return;
                }
            }
            throw new BuiltinException("template: undefined variable: " + name);
        }

        Scope child() {
            return new Scope(this, new HashMap<>());
        }
    }

    private static final class BreakSignal extends RuntimeException {
        final boolean isBreak;

        BreakSignal(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private static final class Exec {
        private final StringBuilder out;
        private final Map<String, List<Node>> templates;
        private int steps;
        private int depth;

        Exec(StringBuilder out, Map<String, List<Node>> templates) {
            this.out = out;
            this.templates = templates;
        }

        void run(List<Node> nodes, Object dot, Scope scope) {
            for (Node n : nodes) {
                if (++steps > 1_000_000 || out.length() > 16 << 20) {
                    throw new BuiltinException("template: execution too large");
                }
                switch (n) {
                    case Text t -> out.append(t.text());
                    case Action a -> {
                        Object v = pipe(a.pipe(), dot, scope);
                        if (a.pipe().vars().isEmpty()) {
                            // An action printing a nil interface prints "no value" (fmt would say <nil>).
                            out.append(v == null ? "<no value>" : print(v));
                        }
                    }
                    case Break b -> throw new BreakSignal(true);
                    case Continue c -> throw new BreakSignal(false);
                    case If i -> control(i, dot, scope);
                    case Call c -> {
                        List<Node> body = templates.get(c.name());
                        if (body == null) {
                            throw new BuiltinException("template: no such template \"" + c.name() + "\"");
                        }
                        if (++depth > 1000) {
                            throw new BuiltinException("template: exceeded maximum template depth");
                        }
                        Object arg = c.pipe() == null ? null : pipe(c.pipe(), dot, scope);
                        run(body, arg, new Scope(null, new HashMap<>(Map.of("$", arg == null ? NO_VALUE : arg))));
                        depth--;
                    }
                }
            }
        }

        private void control(If i, Object dot, Scope scope) {
            Scope inner = scope.child();
            if (i.kind().equals("range")) {
                range(i, dot, inner);
                return;
            }
            Object v = pipe(i.pipe(), dot, inner);
            if (truth(v)) {
                run(i.then(), i.kind().equals("with") ? v : dot, inner);
            } else {
                run(i.otherwise(), dot, inner);
            }
        }

        private void range(If i, Object dot, Scope scope) {
            Pipe p = i.pipe();
            Object v = pipe(new Pipe(List.of(), false, p.commands()), dot, scope);
            var items = new ArrayList<Object[]>();
            if (v instanceof List<?> l) {
                for (int k = 0; k < l.size(); k++) {
                    items.add(new Object[] {BigInteger.valueOf(k), l.get(k)});
                }
            } else if (v instanceof Map<?, ?> m) {
                m.forEach((k, e) -> items.add(new Object[] {k, e}));
            } else if (v instanceof BigInteger n) {
                if (n.compareTo(BigInteger.valueOf(1_000_000)) > 0) {
                    throw new BuiltinException("template: execution too large");
                }
                for (long k = 0; k < n.longValueExact(); k++) {
                    items.add(new Object[] {BigInteger.valueOf(k), BigInteger.valueOf(k)});
                }
            } else if (v != null && v != NO_VALUE) {
                throw new BuiltinException("template: range can't iterate over " + print(v));
            }
            if (items.isEmpty()) {
                run(i.otherwise(), dot, scope);
                return;
            }
            for (Object[] item : items) {
                Scope inner = scope.child();
                if (p.vars().size() == 1) {
                    inner.vars().put(p.vars().get(0), item[1]);
                } else if (p.vars().size() == 2) {
                    inner.vars().put(p.vars().get(0), item[0]);
                    inner.vars().put(p.vars().get(1), item[1]);
                }
                try {
                    run(i.then(), item[1], inner);
                } catch (BreakSignal signal) {
                    if (signal.isBreak) {
                        break;
                    }
                }
            }
        }

        private Object pipe(Pipe p, Object dot, Scope scope) {
            Object value = null;
            boolean piped = false;
            for (List<Arg> command : p.commands()) {
                value = command(command, dot, scope, piped ? value : null, piped);
                piped = true;
            }
            for (String name : p.vars()) {
                if (p.assign()) {
                    scope.set(name, value);
                } else {
                    scope.vars().put(name, value);
                }
            }
            return value;
        }

        private Object command(List<Arg> args, Object dot, Scope scope, Object final_, boolean hasFinal) {
            Arg first = args.get(0);
            if (first instanceof Ident id) {
                var values = new ArrayList<Object>();
                if (id.name().equals("and") || id.name().equals("or")) {
                    // Short-circuit: later arguments are evaluated only when needed.
                    Object v = null;
                    for (int k = 1; k < args.size() + (hasFinal ? 1 : 0); k++) {
                        v = k < args.size() ? eval(args.get(k), dot, scope) : final_;
                        if (truth(v) == id.name().equals("or")) {
                            return v;
                        }
                    }
                    if (args.size() == 1 && !hasFinal) {
                        throw new BuiltinException("template: wrong number of args for " + id.name());
                    }
                    return v;
                }
                for (int k = 1; k < args.size(); k++) {
                    values.add(eval(args.get(k), dot, scope));
                }
                if (hasFinal) {
                    values.add(final_);
                }
                return call(id.name(), values);
            }
            if (args.size() > 1 || hasFinal) {
                throw new BuiltinException("template: can't give argument to non-function " + first);
            }
            return eval(first, dot, scope);
        }

        private Object eval(Arg a, Object dot, Scope scope) {
            return switch (a) {
                case Dot d -> dot;
                case Var v -> scope.get(v.name());
                case Literal l -> l.value();
                case Nested n -> pipe(n.pipe(), dot, scope);
                case Ident i -> call(i.name(), List.of());
                case Field f -> {
                    Object v = eval(f.receiver(), dot, scope);
                    for (String name : f.names()) {
                        if (v instanceof Map<?, ?> m) {
                            v = m.containsKey(name) ? m.get(name) : NO_VALUE;
                        } else if (v == null || v == NO_VALUE) {
                            throw new BuiltinException("template: nil pointer evaluating interface {}." + name);
                        } else {
                            throw new BuiltinException("template: can't evaluate field " + name + " in type " + goType(v));
                        }
                    }
                    yield v;
                }
            };
        }

        private Object call(String name, List<Object> args) {
            switch (name) {
                case "not" -> {
                    arity(name, args, 1);
                    return !truth(args.get(0));
                }
                case "len" -> {
                    arity(name, args, 1);
                    Object v = args.get(0);
                    if (v instanceof String str) {
                        return BigInteger.valueOf(str.getBytes(StandardCharsets.UTF_8).length);
                    }
                    if (v instanceof Num n) {
                        return BigInteger.valueOf(n.text().length());
                    }
                    if (v instanceof List<?> l) {
                        return BigInteger.valueOf(l.size());
                    }
                    if (v instanceof Map<?, ?> m) {
                        return BigInteger.valueOf(m.size());
                    }
                    throw new BuiltinException("template: len of type " + goType(v));
                }
                case "index" -> {
                    if (args.isEmpty()) {
                        throw new BuiltinException("template: wrong number of args for index");
                    }
                    Object v = args.get(0);
                    for (Object key : args.subList(1, args.size())) {
                        if (v instanceof List<?> l && key instanceof BigInteger i) {
                            if (i.signum() < 0 || i.compareTo(BigInteger.valueOf(l.size())) >= 0) {
                                throw new BuiltinException("template: index out of range: " + i);
                            }
                            v = l.get(i.intValue());
                        } else if (v instanceof Map<?, ?> m && (key instanceof String || key instanceof Num)) {
                            String k = key instanceof Num n ? n.text() : (String) key;
                            v = m.containsKey(k) ? m.get(k) : null;
                        } else {
                            throw new BuiltinException("template: can't index item of type " + goType(v));
                        }
                    }
                    return v;
                }
                case "slice" -> {
                    if (args.isEmpty() || args.size() > 4) {
                        throw new BuiltinException("template: wrong number of args for slice");
                    }
                    Object v = args.get(0);
                    int len = v instanceof String str ? str.length() : v instanceof List<?> l ? l.size() : -1;
                    if (len < 0) {
                        throw new BuiltinException("template: can't slice item of type " + goType(v));
                    }
                    int from = args.size() > 1 ? ((BigInteger) args.get(1)).intValueExact() : 0;
                    int to = args.size() > 2 ? ((BigInteger) args.get(2)).intValueExact() : len;
                    if (from < 0 || to < from || to > len) {
                        throw new BuiltinException("template: slice index out of range");
                    }
                    return v instanceof String str ? str.substring(from, to) : new ArrayList<>(((List<?>) v).subList(from, to));
                }
                case "print" -> {
                    return sprint(args, false);
                }
                case "println" -> {
                    return sprint(args, true) + "\n";
                }
                case "printf" -> {
                    if (args.isEmpty() || !(args.get(0) instanceof String f)) {
                        throw new BuiltinException("template: printf needs a format string");
                    }
                    var fargs = new ArrayList<GoFormat.Arg>();
                    for (Object o : args.subList(1, args.size())) {
                        fargs.add(o instanceof BigInteger i ? new GoFormat.Arg.Int(i, i.bitLength() >= 64)
                                : o instanceof Double d ? new GoFormat.Arg.Float(d) : new GoFormat.Arg.Str(print(o)));
                    }
                    return GoFormat.format(f, fargs);
                }
                case "eq" -> {
                    if (args.size() < 2) {
                        throw new BuiltinException("template: missing argument for comparison");
                    }
                    for (Object other : args.subList(1, args.size())) {
                        if (compare(args.get(0), other, true) == 0) {
                            return true;
                        }
                    }
                    return false;
                }
                case "ne", "lt", "le", "gt", "ge" -> {
                    arity(name, args, 2);
                    int c = compare(args.get(0), args.get(1), name.equals("ne"));
                    return switch (name) {
                        case "ne" -> c != 0;
                        case "lt" -> c < 0;
                        case "le" -> c <= 0;
                        case "gt" -> c > 0;
                        default -> c >= 0;
                    };
                }
                case "html" -> {
                    return sprint(args, false).replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;")
                            .replace("\"", "&#34;").replace("\u0000", "\uFFFD");
                }
                case "js" -> {
                    var sb = new StringBuilder();
                    for (char c : sprint(args, false).toCharArray()) {
                        switch (c) {
                            case '\\' -> sb.append("\\\\");
                            case '\'' -> sb.append("\\'");
                            case '"' -> sb.append("\\\"");
                            case '<' -> sb.append("\\u003C");
                            case '>' -> sb.append("\\u003E");
                            case '&' -> sb.append("\\u0026");
                            case '=' -> sb.append("\\u003D");
                            case '\n' -> sb.append("\\n");
                            case '\r' -> sb.append("\\r");
                            case '\t' -> sb.append("\\t");
                            default -> {
                                if (c < ' ') {
                                    sb.append(String.format("\\u%04X", (int) c));
                                } else {
                                    sb.append(c);
                                }
                            }
                        }
                    }
                    return sb.toString();
                }
                case "urlquery" -> {
                    return URLEncoder.encode(sprint(args, false), StandardCharsets.UTF_8);
                }
                default -> throw new BuiltinException("template: function \"" + name + "\" not defined");
            }
        }

        private static void arity(String name, List<Object> args, int n) {
            if (args.size() != n) {
                throw new BuiltinException("template: wrong number of args for " + name + ": want " + n + " got " + args.size());
            }
        }
    }

    /** Go's text/template truth: false, 0, nil and empty strings, slices and maps are false. */
    static boolean truth(Object v) {
        if (v == null || v == NO_VALUE) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Num n) {
            return !n.text().isEmpty();
        }
        if (v instanceof BigInteger i) {
            return i.signum() != 0;
        }
        if (v instanceof Double d) {
            return d != 0;
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        return !((Map<?, ?>) v).isEmpty();
    }

    /** Go's basic-kind comparison: ints with ints, floats with floats, strings (and json.Numbers) with strings. */
    private static int compare(Object a, Object b, boolean equalityOnly) {
        if (a instanceof Num n) {
            a = n.text();
        }
        if (b instanceof Num n) {
            b = n.text();
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        if (a instanceof BigInteger x && b instanceof BigInteger y) {
            return x.compareTo(y);
        }
        if (a instanceof Double x && b instanceof Double y) {
            return Double.compare(x, y);
        }
        if (equalityOnly && a instanceof Boolean x && b instanceof Boolean y) {
            return x.equals(y) ? 0 : 1;
        }
        if (equalityOnly && (a == null || b == null)) {
            return a == b ? 0 : 1;
        }
        throw new BuiltinException("template: incompatible types for comparison");
    }

    private static String goType(Object v) {
        if (v == null || v == NO_VALUE) {
            return "<nil>";
        }
        if (v instanceof Num) {
            return "json.Number";
        }
        if (v instanceof List<?>) {
            return "[]interface {}";
        }
        if (v instanceof Map<?, ?>) {
            return "map[string]interface {}";
        }
        return v instanceof String ? "string" : v instanceof Boolean ? "bool" : v instanceof BigInteger ? "int" : "float64";
    }

    /** fmt.Sprint: operands separated by a space when neither side is a string (Sprintln: always). */
    private static String sprint(List<Object> args, boolean line) {
        var sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            boolean isString = args.get(i) instanceof String || args.get(i) instanceof Num;
            boolean prevString = i > 0 && (args.get(i - 1) instanceof String || args.get(i - 1) instanceof Num);
            if (i > 0 && (line || (!isString && !prevString))) {
                sb.append(' ');
            }
            sb.append(print(args.get(i)));
        }
        return sb.toString();
    }

    /** A value as fmt's %v prints it (the template's own output of an action). */
    static String print(Object v) {
        if (v == NO_VALUE) {
            return "<no value>";
        }
        if (v == null) {
            return "<nil>";
        }
        if (v instanceof Num n) {
            return n.text();
        }
        if (v instanceof Double d) {
            return GoFormat.format("%v", List.of(new GoFormat.Arg.Float(d)));
        }
        if (v instanceof List<?> l) {
            var parts = new ArrayList<String>();
            l.forEach(e -> parts.add(print(e)));
            return "[" + String.join(" ", parts) + "]";
        }
        if (v instanceof Map<?, ?> m) {
            var parts = new ArrayList<String>();
            new TreeMap<>(m).forEach((k, e) -> parts.add(k + ":" + print(e)));
            return "map[" + String.join(" ", parts) + "]";
        }
        return String.valueOf(v);
    }
}
