package dev.plinth.engine.builtins;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * regex.globs_match: whether two patterns of OPA's "glob" dialect (characters, {@code .},
 * sets {@code [a-z]}, each optionally followed by {@code +} or {@code *}; {@code \} escapes)
 * can match a common string. OPA decides this with glob-intersection's greedy procedure,
 * not by exact automata intersection, and a policy sees its answers, including where the
 * procedure is approximate (adjacent equal starred tokens are merged first, and a star is
 * matched greedily against what follows). So this follows the same procedure step by step.
 */
final class GlobsMatch {

    private static final int NONE = 0, PLUS = 1, STAR = 2;

    /** A token: a character, any character (dot), or a set of characters; and its repetition flag. */
    private record Token(int kind, int rune, Set<Integer> runes, int flag) {
        static final int CHAR = 0, DOT = 1, SET = 2;

        Token withFlag(int f) {
            return new Token(kind, rune, runes, f);
        }

        boolean sameAs(Token o) {
            return kind == o.kind && (kind == DOT || (kind == CHAR ? rune == o.rune : runes.equals(o.runes)));
        }
    }

    private GlobsMatch() {}

    static Builtin builtin() {
        return Builtin.pure("regex.globs_match", 2, a -> Args.bool(nonEmpty(Args.string(a, 0), Args.string(a, 1))));
    }

    static boolean nonEmpty(String lhs, String rhs) {
        List<Token> g1 = simplify(tokenize(lhs));
        List<Token> g2 = simplify(tokenize(rhs));
        // Trim the flag-free tokens both start and end with, failing on a mismatch.
        int l = 0;
        while (l < g1.size() && l < g2.size() && g1.get(l).flag() == NONE && g2.get(l).flag() == NONE) {
            if (!match(g1.get(l), g2.get(l))) {
                return false;
            }
            l++;
        }
        if (l > 0) {
            l--;
        }
        int r1 = g1.size() - 1;
        int r2 = g2.size() - 1;
        while (r1 >= 0 && r1 >= l && r2 >= 0 && r2 >= l && g1.get(r1).flag() == NONE && g2.get(r2).flag() == NONE) {
            if (!match(g1.get(r1), g2.get(r2))) {
                return false;
            }
            r1--;
            r2--;
        }
        if (r1 < g1.size() - 1) {
            r1++;
            r2++;
        }
        return normal(slice(g1, l, r1 + 1), slice(g2, l, r2 + 1));
    }

    private static List<Token> slice(List<Token> g, int from, int to) {
        return from >= to ? List.of() : g.subList(from, Math.min(to, g.size()));
    }

    private static boolean normal(List<Token> g1, List<Token> g2) {
        int i = 0;
        int j = 0;
        for (; i < g1.size() && j < g2.size(); i++, j++) {
            if (g1.get(i).flag() == NONE && g2.get(j).flag() == NONE) {
                if (!match(g1.get(i), g2.get(j))) {
                    return false;
                }
            } else {
                return special(g1.subList(i, g1.size()), g2.subList(j, g2.size()));
            }
        }
        return i == g1.size() && j == g2.size();
    }

    private static boolean special(List<Token> g1, List<Token> g2) {
        if (g1.get(0).flag() != NONE) {
            return g1.get(0).flag() == PLUS ? plus(g1, g2) : star(g1, g2);
        }
        return g2.get(0).flag() == PLUS ? plus(g2, g1) : star(g2, g1);
    }

    private static boolean plus(List<Token> plussed, List<Token> other) {
        if (!match(plussed.get(0), other.get(0))) {
            return false;
        }
        if (star(plussed, other.subList(1, other.size()))) {
            return true;
        }
        return other.get(0).flag() != NONE && normal(plussed.subList(1, plussed.size()), other);
    }

    private static boolean star(List<Token> starred, List<Token> other) {
        Token starToken = starred.get(0);
        Token next = starred.size() > 1 ? starred.get(1) : null;
        for (int i = 0; i < other.size(); i++) {
            Token t = other.get(i);
            if (next != null && match(t, next)) {
                if (normal(starred.subList(1, starred.size()), other.subList(i, other.size()))) {
                    return true;
                }
                if (!match(t, starToken)) {
                    return false;
                }
            } else if (!match(t, starToken)) {
                return false;
            }
        }
        return next == null;
    }

    /** Whether two tokens can match one common character. */
    private static boolean match(Token a, Token b) {
        if (a.kind() > b.kind()) {
            Token t = a;
            a = b;
            b = t;
        }
        if (a.kind() == Token.CHAR) {
            return switch (b.kind()) {
                case Token.CHAR -> a.rune() == b.rune();
                case Token.DOT -> true;
                default -> b.runes().contains(a.rune());
            };
        }
        if (a.kind() == Token.DOT) {
            return true;
        }
        for (int r : a.runes()) {
            if (b.runes().contains(r)) {
                return true;
            }
        }
        return false;
    }

    /** Adjacent equal flagged tokens become one (a plus if either was). */
    private static List<Token> simplify(List<Token> tokens) {
        var out = new ArrayList<Token>();
        for (Token t : tokens) {
            Token last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && t.flag() != NONE && last.flag() != NONE && t.sameAs(last)) {
                out.set(out.size() - 1, last.withFlag(t.flag() == PLUS || last.flag() == PLUS ? PLUS : STAR));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    private static List<Token> tokenize(String input) {
        int[] in = input.codePoints().toArray();
        var out = new ArrayList<Token>();
        int i = 0;
        while (i < in.length) {
            boolean escaped = in[i] == '\\';
            if (escaped && i == in.length - 1) {
                throw new BuiltinException("input:" + input + ", pos:" + i + ", input ends with a \\ (escape) character: the input provided is invalid");
            }
            int r = escaped ? in[i + 1] : in[i];
            i += escaped ? 2 : 1;
            Token t;
            if (!escaped && r == '.') {
                t = new Token(Token.DOT, 0, null, NONE);
            } else if (!escaped && r == ']') {
                throw new BuiltinException("input:" + input + ", pos:" + i + ", set-close ']' with no preceding '[': the input provided is invalid");
            } else if (!escaped && r == '[') {
                var runes = new HashSet<Integer>();
                int prev = 0;
                boolean prevExists = false;
                boolean complete = false;
                while (i < in.length) {
                    boolean esc = in[i] == '\\';
                    if (esc && i == in.length - 1) {
                        throw new BuiltinException("input ends with a \\ (escape) character: the input provided is invalid");
                    }
                    int c = esc ? in[i + 1] : in[i];
                    i += esc ? 2 : 1;
                    if (!esc && c == '-') {
                        if (!prevExists) {
                            throw new BuiltinException("range character '-' must be preceded by a Unicode character: the input provided is invalid");
                        }
                        if (i >= in.length) {
                            throw new BuiltinException("range character '-' must be followed by a Unicode character: the input provided is invalid");
                        }
                        boolean esc2 = in[i] == '\\' && i < in.length - 1;
                        int to = esc2 ? in[i + 1] : in[i];
                        i += esc2 ? 2 : 1;
                        if (!esc2 && (to == ']' || to == '-')) {
                            throw new BuiltinException("range character '-' cannot be followed by a special symbol: the input provided is invalid");
                        }
                        if (to < prev) {
                            throw new BuiltinException("range is out of order: the input provided is invalid");
                        }
                        for (int x = prev; x <= to; x++) {
                            runes.add(x);
                        }
                        prevExists = false;
                    } else if (!esc && c == ']') {
                        complete = true;
                        break;
                    } else {
                        runes.add(c);
                        prev = c;
                        prevExists = true;
                    }
                }
                if (!complete) {
                    throw new BuiltinException("found [ without matching ]: the input provided is invalid");
                }
                t = new Token(Token.SET, 0, runes, NONE);
            } else if (!escaped && (r == '+' || r == '*')) {
                throw new BuiltinException("flag '" + Character.toString(r) + "' must be preceded by a non-flag: the input provided is invalid");
            } else {
                t = new Token(Token.CHAR, r, null, NONE);
            }
            if (i < in.length && (in[i] == '+' || in[i] == '*')) {
                t = t.withFlag(in[i] == '+' ? PLUS : STAR);
                i++;
            }
            out.add(t);
        }
        return out;
    }
}
