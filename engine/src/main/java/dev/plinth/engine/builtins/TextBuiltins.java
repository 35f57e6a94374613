package dev.plinth.engine.builtins;

import static dev.plinth.engine.builtins.Args.integer;
import static dev.plinth.engine.builtins.Args.string;
import static dev.plinth.engine.builtins.Args.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * strings.*, regex.* and glob.* that the wasm target leaves to the host. Go's RE2 syntax is
 * translated to java.util.regex where the two spell a construct differently (named groups,
 * POSIX classes); Go's replacement template ({@code $1}, {@code ${name}}) is expanded by
 * hand because Java's differs ({@code $1a} is group "1a" in Go, group 1 then "a" in Java).
 */
final class TextBuiltins {

    private static final Cache<String, Pattern> PATTERNS = Caffeine.newBuilder().maximumSize(1_000).build();

    private TextBuiltins() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.pure("strings.any_prefix_match", 2, a -> affix(a, false)),
                Builtin.pure("strings.any_suffix_match", 2, a -> affix(a, true)),
                Builtin.pure("strings.count", 2, a -> Args.num(count(string(a, 0), string(a, 1)))),
                Builtin.pure("strings.split_n", 3, TextBuiltins::splitN),
                Builtin.pure("indexof_n", 2, TextBuiltins::indexOfN),
                Builtin.pure("regex.split", 2, a -> Args.strings(Arrays.asList(
                        regex(string(a, 0)).split(string(a, 1), -1)))),
                Builtin.pure("regex.find_n", 3, TextBuiltins::findN),
                Builtin.pure("regex.replace", 3, TextBuiltins::replace),
                Builtin.pure("regex.template_match", 4, TextBuiltins::templateMatch),
                Builtin.pure("glob.quote_meta", 1, a -> text(quoteGlob(string(a, 0)))));
    }

    static Pattern regex(String goPattern) {
        Pattern p = PATTERNS.getIfPresent(goPattern);
        if (p == null) {
            try {
                p = Pattern.compile(javaSyntax(goPattern));
            } catch (PatternSyntaxException e) {
                throw new BuiltinException("error parsing regexp: " + e.getDescription() + ": `" + goPattern + "`");
            }
            PATTERNS.put(goPattern, p);
        }
        return p;
    }

    private static final String[][] POSIX = {
            {"[:alnum:]", "\\p{Alnum}"}, {"[:alpha:]", "\\p{Alpha}"}, {"[:ascii:]", "\\p{ASCII}"}, {"[:blank:]", "\\p{Blank}"},
            {"[:cntrl:]", "\\p{Cntrl}"}, {"[:digit:]", "\\p{Digit}"}, {"[:graph:]", "\\p{Graph}"}, {"[:lower:]", "\\p{Lower}"},
            {"[:print:]", "\\p{Print}"}, {"[:punct:]", "\\p{Punct}"}, {"[:space:]", "\\s"}, {"[:upper:]", "\\p{Upper}"},
            {"[:word:]", "\\w"}, {"[:xdigit:]", "\\p{XDigit}"}};

    static String javaSyntax(String go) {
        String j = go.replace("(?P<", "(?<");
        for (String[] posix : POSIX) {
            j = j.replace(posix[0], posix[1]);
        }
        return j;
    }

    private static JsonNode affix(JsonNode[] a, boolean suffix) {
        List<String> search = Args.strings(a, 0);
        List<String> base = Args.strings(a, 1);
        for (String s : search) {
            for (String b : base) {
                if (suffix ? s.endsWith(b) : s.startsWith(b)) {
                    return Args.bool(true);
                }
            }
        }
        return Args.bool(false);
    }

    /** Go's strings.Count: non-overlapping; an empty substring counts the code points plus one. */
    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1L;
        }
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }

    /** OPA's split_n: at most n parts from the front, or with a negative n the last -n parts. */
    private static JsonNode splitN(JsonNode[] a) {
        String s = string(a, 0);
        String delim = string(a, 1);
        int n = integer(a, 2);
        List<String> parts = split(s, delim);
        if (n >= 0) {
            if (n == 0) {
                return Args.F.arrayNode();
            }
            // strings.SplitN(s, d, n+1), then the first n of those parts.
            var limited = new ArrayList<String>(split(s, delim, n == Integer.MAX_VALUE ? -1 : n + 1));
            return Args.strings(limited.subList(0, Math.min(n, limited.size())));
        }
        return Args.strings(parts.subList(Math.max(parts.size() + n, 0), parts.size()));
    }

    private static List<String> split(String s, String delim) {
        return split(s, delim, -1);
    }

    /** Go's strings.SplitN (limit -1: all); an empty separator splits into code points. */
    static List<String> split(String s, String delim, int limit) {
        var out = new ArrayList<String>();
        if (delim.isEmpty()) {
            int i = 0;
            while (i < s.length() && (limit < 0 || out.size() < limit - 1)) {
                int next = s.offsetByCodePoints(i, 1);
                out.add(s.substring(i, next));
                i = next;
            }
            if (i < s.length()) {
                out.add(s.substring(i));
            }
            return out;
        }
        int from = 0;
        while (limit < 0 || out.size() < limit - 1) {
            int at = s.indexOf(delim, from);
            if (at < 0) {
                break;
            }
            out.add(s.substring(from, at));
            from = at + delim.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** Positions in code points, overlapping matches included. */
    private static JsonNode indexOfN(JsonNode[] a) {
        String base = string(a, 0);
        String search = string(a, 1);
        if (search.isEmpty()) {
            throw new BuiltinException("empty search character");
        }
        var out = Args.F.arrayNode();
        for (int i = base.indexOf(search); i >= 0; i = base.indexOf(search, i + 1)) {
            out.add(base.codePointCount(0, i));
        }
        return out;
    }

    private static JsonNode findN(JsonNode[] a) {
        Matcher m = regex(string(a, 0)).matcher(string(a, 1));
        int n = integer(a, 2);
        var out = Args.F.arrayNode();
        int lastEnd = -1;
        while ((n < 0 || out.size() < n) && m.find()) {
            if (m.end() == m.start() && m.start() == lastEnd) {
                continue; // Go skips an empty match right after the previous match
            }
            out.add(m.group());
            lastEnd = m.end();
        }
        return out;
    }

    private static JsonNode replace(JsonNode[] a) {
        String base = string(a, 0);
        Pattern p = regex(string(a, 1));
        String template = string(a, 2);
        Matcher m = p.matcher(base);
        var out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(base, last, m.start());
            expand(template, m, out);
            last = m.end();
        }
        out.append(base.substring(last));
        return text(out.toString());
    }

    /** Go's Regexp.Expand: $$, $name and ${name}; a name is the longest run of letters, digits and '_'. */
    private static void expand(String template, Matcher m, StringBuilder out) {
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '$' || i + 1 >= template.length()) {
                out.append(c);
                continue;
            }
            char next = template.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i++;
                continue;
            }
            String name;
            int end;
            if (next == '{') {
                int close = template.indexOf('}', i + 2);
                if (close < 0 || !template.substring(i + 2, close).matches("[A-Za-z0-9_]+")) {
                    out.append(c);
                    continue;
                }
                name = template.substring(i + 2, close);
                end = close;
            } else {
                int j = i + 1;
                while (j < template.length() && (Character.isLetterOrDigit(template.charAt(j)) || template.charAt(j) == '_')) {
                    j++;
                }
                if (j == i + 1) {
                    out.append(c);
                    continue;
                }
                name = template.substring(i + 1, j);
                end = j - 1;
            }
            out.append(group(m, name));
            i = end;
        }
    }

    private static String group(Matcher m, String name) {
        String g;
        try {
            g = name.chars().allMatch(Character::isDigit) ? (Integer.parseInt(name) <= m.groupCount() ? m.group(Integer.parseInt(name)) : null)
                    : m.group(name);
        } catch (IllegalArgumentException e) {
            g = null; // no such group: Go expands it to nothing
        }
        return g == null ? "" : g;
    }

    private static JsonNode templateMatch(JsonNode[] a) {
        String template = string(a, 0);
        String match = string(a, 1);
        String start = string(a, 2);
        String end = string(a, 3);
        if (start.length() != 1 || end.length() != 1) {
            throw new BuiltinException("delimiters have to be exactly one character long");
        }
        char ds = start.charAt(0);
        char de = end.charAt(0);
        var pattern = new StringBuilder("^");
        int level = 0;
        int open = 0;
        int rawFrom = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == ds) {
                if (++level == 1) {
                    open = i;
                }
            } else if (c == de) {
                if (--level == 0) {
                    pattern.append(Pattern.quote(template.substring(rawFrom, open)).replace("\\Q\\E", ""))
                            .append('(').append(javaSyntax(template.substring(open + 1, i))).append(')');
                    regex("^" + template.substring(open + 1, i) + "$");
                    rawFrom = i + 1;
                } else if (level < 0) {
                    throw new BuiltinException("unbalanced braces in \"" + template + "\"");
                }
            }
        }
        if (level != 0) {
            throw new BuiltinException("unbalanced braces in \"" + template + "\"");
        }
        pattern.append(Pattern.quote(template.substring(rawFrom))).append('$');
        try {
            return Args.bool(Pattern.compile(pattern.toString()).matcher(match).find());
        } catch (PatternSyntaxException e) {
            throw new BuiltinException("error parsing regexp: " + e.getDescription());
        }
    }

    /** gobwas/glob's QuoteMeta: a backslash before * ? \ [ ] { }. */
    static String quoteGlob(String s) {
        var out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if ("*?\\[]{}".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
