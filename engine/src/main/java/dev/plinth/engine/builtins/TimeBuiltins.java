package dev.plinth.engine.builtins;

import static dev.plinth.engine.builtins.Args.string;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * time.* that the wasm target leaves to the host. Times are nanoseconds since the epoch
 * within int64, as in OPA. Go's layouts ("2006-01-02T15:04:05Z07:00") are read by
 * {@link GoLayout}, a port of the rules of Go's time.Format and time.Parse: java.time's
 * patterns differ in every token, and OPA's policies are written against Go's.
 */
final class TimeBuiltins {

    private static final BigInteger MIN_NS = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX_NS = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger BILLION = BigInteger.valueOf(1_000_000_000);
    static final Map<String, String> NAMED_LAYOUTS = Map.of(
            "ANSIC", "Mon Jan _2 15:04:05 2006", "UnixDate", "Mon Jan _2 15:04:05 MST 2006",
            "RubyDate", "Mon Jan 02 15:04:05 -0700 2006", "RFC822", "02 Jan 06 15:04 MST", "RFC822Z", "02 Jan 06 15:04 -0700",
            "RFC850", "Monday, 02-Jan-06 15:04:05 MST", "RFC1123", "Mon, 02 Jan 2006 15:04:05 MST",
            "RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700", "RFC3339", "2006-01-02T15:04:05Z07:00",
            "RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00");

    private TimeBuiltins() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.pure("time.parse_rfc3339_ns", 1, a -> ns(GoLayout.parse(NAMED_LAYOUTS.get("RFC3339"), string(a, 0)))),
                Builtin.pure("time.parse_ns", 2, a -> ns(GoLayout.parse(NAMED_LAYOUTS.getOrDefault(string(a, 0), string(a, 0)), string(a, 1)))),
                Builtin.pure("time.parse_duration_ns", 1, a -> Args.num(Durations.parse(string(a, 0)))),
                Builtin.pure("time.format", 1, TimeBuiltins::format),
                Builtin.pure("time.date", 1, a -> {
                    ZonedDateTime t = time(a[0]);
                    return Args.array(List.of(Args.num(t.getYear()), Args.num(t.getMonthValue()), Args.num(t.getDayOfMonth())));
                }),
                Builtin.pure("time.clock", 1, a -> {
                    ZonedDateTime t = time(a[0]);
                    return Args.array(List.of(Args.num(t.getHour()), Args.num(t.getMinute()), Args.num(t.getSecond())));
                }),
                Builtin.pure("time.weekday", 1, a -> Args.text(time(a[0]).getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH))),
                Builtin.pure("time.add_date", 4, a -> {
                    ZonedDateTime t = time(a[0]);
                    int years = Args.integer(a, 1);
                    int months = Args.integer(a, 2);
                    int days = Args.integer(a, 3);
                    return ns(goDate(t.getYear() + (long) years, t.getMonthValue() + (long) months, t.getDayOfMonth() + (long) days,
                            t.toLocalTime().toNanoOfDay(), t.getZone()));
                }),
                Builtin.pure("time.diff", 2, TimeBuiltins::diff));
    }

    /** Go's time.Date: months and days beyond their range carry over (Jan 31 + 1 month is Mar 3). */
    static ZonedDateTime goDate(long year, long month, long day, long nanoOfDay, ZoneId zone) {
        long m0 = month - 1;
        long y = year + Math.floorDiv(m0, 12);
        int m = (int) Math.floorMod(m0, 12) + 1;
        LocalDate date = LocalDate.of(Math.toIntExact(y), m, 1).plusDays(day - 1);
        return LocalDateTime.of(date, java.time.LocalTime.ofNanoOfDay(nanoOfDay)).atZone(zone);
    }

    static JsonNode ns(ZonedDateTime t) {
        BigInteger n = BigInteger.valueOf(t.toEpochSecond()).multiply(BILLION).add(BigInteger.valueOf(t.getNano()));
        if (n.compareTo(MIN_NS) < 0 || n.compareTo(MAX_NS) > 0) {
            throw new BuiltinException("time outside of valid range");
        }
        return Args.F.numberNode(n.longValue());
    }

    /** A number of ns, or [ns, tz] or [ns, tz, layout], as OPA's tzTime reads it. */
    static ZonedDateTime time(JsonNode v) {
        return zoned(v).time;
    }

    private record Zoned(ZonedDateTime time, String layout) {}

    private static Zoned zoned(JsonNode v) {
        JsonNode n;
        ZoneId zone = ZoneOffset.UTC;
        String layout = "";
        if (v.isArray() && !(v instanceof ValueText.SetNode)) {
            if (v.isEmpty()) {
                throw Args.typeError(1, v, "either number (ns) or [number (ns), string (tz)]");
            }
            n = v.get(0);
            if (v.size() > 1) {
                if (!v.get(1).isTextual()) {
                    throw Args.typeError(1, v.get(1), "string");
                }
                zone = zone(v.get(1).textValue());
            }
            if (v.size() > 2) {
                if (!v.get(2).isTextual()) {
                    throw Args.typeError(1, v.get(2), "string");
                }
                layout = v.get(2).textValue();
            }
        } else {
            n = v;
        }
        if (!n.isNumber()) {
            throw Args.typeError(1, n, "number");
        }
        BigDecimal d = n.decimalValue();
        BigInteger i;
        try {
            i = d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            i = new BigDecimal(d.doubleValue()).toBigInteger(); // Go converts to float64 first
        }
        if (i.bitLength() >= 64) {
            throw new BuiltinException("timestamp too big");
        }
        long ns = i.longValue();
        Instant at = Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
        return new Zoned(at.atZone(zone), layout);
    }

    static ZoneId zone(String name) {
        if (name.isEmpty() || name.equals("UTC")) {
            return ZoneOffset.UTC;
        }
        if (name.equals("Local")) {
            return ZoneId.systemDefault();
        }
        // Go loads IANA names only; java.time would also take offsets ("+01:00") and prefixes ("GMT+1").
        if (!name.matches("[A-Za-z][A-Za-z0-9_/+-]*") || name.matches("(GMT|UTC|UT)[+-].*")) {
            throw new BuiltinException("unknown time zone " + name);
        }
        try {
            return ZoneId.of(name);
        } catch (java.time.DateTimeException e) {
            throw new BuiltinException("unknown time zone " + name);
        }
    }

    private static JsonNode format(JsonNode[] a) {
        Zoned z = zoned(a[0]);
        String layout = z.layout.isEmpty() ? NAMED_LAYOUTS.get("RFC3339Nano") : NAMED_LAYOUTS.getOrDefault(z.layout, z.layout);
        return Args.text(GoLayout.format(z.time, layout));
    }

    private static JsonNode diff(JsonNode[] a) {
        ZonedDateTime t1 = time(a[0]);
        ZonedDateTime t2 = time(a[1]);
        if (!t1.getZone().equals(t2.getZone())) {
            t2 = t2.withZoneSameInstant(t1.getZone());
        }
        if (t1.isAfter(t2)) {
            var swap = t1;
            t1 = t2;
            t2 = swap;
        }
        int year = t2.getYear() - t1.getYear();
        int month = t2.getMonthValue() - t1.getMonthValue();
        int day = t2.getDayOfMonth() - t1.getDayOfMonth();
        int hour = t2.getHour() - t1.getHour();
        int min = t2.getMinute() - t1.getMinute();
        int sec = t2.getSecond() - t1.getSecond();
        if (sec < 0) {
            sec += 60;
            min--;
        }
        if (min < 0) {
            min += 60;
            hour--;
        }
        if (hour < 0) {
            hour += 24;
            day--;
        }
        if (day < 0) {
            // days in t1's month: Go normalizes day 32 of it and takes 32 minus the result
            day += 32 - goDate(t1.getYear(), t1.getMonthValue(), 32, 0, ZoneOffset.UTC).getDayOfMonth();
            month--;
        }
        if (month < 0) {
            month += 12;
            year--;
        }
        return Args.array(List.of(Args.num(year), Args.num(month), Args.num(day), Args.num(hour), Args.num(min), Args.num(sec)));
    }

    /** Go's time.ParseDuration, with OPA's d, w and y (24, 168 and 8760 hours). */
    static final class Durations {
        private static final Pattern EXTENDED = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)([a-zA-Zµμ]+)");
        private static final Map<String, BigDecimal> UNITS = Map.of("ns", BigDecimal.ONE, "us", BigDecimal.valueOf(1_000),
                "µs", BigDecimal.valueOf(1_000), "μs", BigDecimal.valueOf(1_000), "ms", BigDecimal.valueOf(1_000_000),
                "s", BigDecimal.valueOf(1_000_000_000L), "m", BigDecimal.valueOf(60_000_000_000L), "h", BigDecimal.valueOf(3_600_000_000_000L));

        static long parse(String s) {
            String orig = s;
            if (s.isEmpty()) {
                throw new BuiltinException("time: invalid duration \"" + orig + "\"");
            }
            if (s.chars().anyMatch(c -> c == 'd' || c == 'w' || c == 'y')) {
                s = rewrite(s, orig);
            }
            boolean neg = false;
            if (s.charAt(0) == '-' || s.charAt(0) == '+') {
                neg = s.charAt(0) == '-';
                s = s.substring(1);
            }
            if (s.equals("0")) {
                return 0;
            }
            if (s.isEmpty()) {
                throw new BuiltinException("time: invalid duration \"" + orig + "\"");
            }
            BigDecimal total = BigDecimal.ZERO;
            int i = 0;
            while (i < s.length()) {
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                boolean pre = i > start;
                boolean post = false;
                if (i < s.length() && s.charAt(i) == '.') {
                    i++;
                    int fs = i;
                    while (i < s.length() && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                    post = i > fs;
                }
                if (!pre && !post) {
                    throw new BuiltinException("time: invalid duration \"" + orig + "\"");
                }
                String number = s.substring(start, i);
                int us = i;
                while (i < s.length() && s.charAt(i) != '.' && !Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (us == i) {
                    throw new BuiltinException("time: missing unit in duration \"" + orig + "\"");
                }
                String unit = s.substring(us, i);
                BigDecimal scale = UNITS.get(unit);
                if (scale == null) {
                    throw new BuiltinException("time: unknown unit \"" + unit + "\" in duration \"" + orig + "\"");
                }
                BigDecimal value = new BigDecimal(number.startsWith(".") ? "0" + number : number.endsWith(".") ? number + "0" : number);
                total = total.add(value.multiply(scale).setScale(0, RoundingMode.DOWN));
            }
            BigInteger ns = total.toBigInteger();
            BigInteger limit = neg ? BigInteger.ONE.shiftLeft(63) : MAX_NS;
            if (ns.compareTo(limit) > 0) {
                throw new BuiltinException("time: invalid duration \"" + orig + "\"");
            }
            return neg ? ns.negate().longValue() : ns.longValue();
        }

        private static String rewrite(String s, String orig) {
            var out = new StringBuilder();
            String body = s;
            if (body.startsWith("-") || body.startsWith("+")) {
                out.append(body.charAt(0));
                body = body.substring(1);
            }
            Matcher m = EXTENDED.matcher(body);
            int at = 0;
            while (at < body.length()) {
                if (!m.find(at) || m.start() != at || m.group(1).isEmpty() || m.group(1).equals(".")) {
                    throw new BuiltinException("time: invalid duration \"" + orig + "\"");
                }
                String unit = m.group(2);
                int hours = switch (unit) {
                    case "d" -> 24;
                    case "w" -> 168;
                    case "y" -> 8760;
                    default -> 0;
                };
                if (hours == 0) {
                    out.append(m.group(1)).append(unit);
                } else {
                    BigDecimal h = new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1)).multiply(BigDecimal.valueOf(hours));
                    out.append(h.stripTrailingZeros().toPlainString()).append('h');
                }
                at = m.end();
            }
            return out.toString();
        }
    }

    /** Go's layout language: format and parse, token by token as Go's nextStdChunk splits a layout. */
    static final class GoLayout {
        enum Std { LONG_MONTH, MONTH, NUM_MONTH, ZERO_MONTH, LONG_WEEKDAY, WEEKDAY, DAY, UNDER_DAY, ZERO_DAY, UNDER_YEARDAY,
            ZERO_YEARDAY, HOUR, HOUR12, ZERO_HOUR12, MINUTE, ZERO_MINUTE, SECOND, ZERO_SECOND, LONG_YEAR, YEAR, PM, LOWER_PM, TZ,
            ISO_TZ_SEC, ISO_TZ_COLON_SEC, ISO_TZ, ISO_SHORT_TZ, ISO_COLON_TZ, NUM_TZ_SEC, NUM_COLON_TZ_SEC, NUM_TZ, NUM_SHORT_TZ,
            NUM_COLON_TZ, FRAC0, FRAC9 }

        /** A literal, or a token; a fraction token keeps its digit count and separator. */
        record Chunk(String literal, Std std, int digits, char separator) {}

        static List<Chunk> chunks(String layout) {
            var out = new java.util.ArrayList<Chunk>();
            int lit = 0;
            int i = 0;
            while (i < layout.length()) {
                Object[] hit = std(layout, i);
                if (hit == null) {
                    i++;
                    continue;
                }
                if (i > lit) {
                    out.add(new Chunk(layout.substring(lit, i), null, 0, ' '));
                }
                Std std = (Std) hit[0];
                int len = (int) hit[1];
                boolean frac = std == Std.FRAC0 || std == Std.FRAC9;
                out.add(new Chunk(null, std, frac ? len - 1 : 0, frac ? layout.charAt(i) : ' '));
                i += len;
                lit = i;
            }
            if (lit < layout.length()) {
                out.add(new Chunk(layout.substring(lit), null, 0, ' '));
            }
            return out;
        }

        private static Object[] std(String l, int i) {
            String rest = l.substring(i);
            char c = l.charAt(i);
            switch (c) {
                case 'J':
                    if (rest.startsWith("January")) {
                        return new Object[] {Std.LONG_MONTH, 7};
                    }
                    if (rest.startsWith("Jan")) {
                        return new Object[] {Std.MONTH, 3};
                    }
                    return null;
                case 'M':
                    if (rest.startsWith("Monday")) {
                        return new Object[] {Std.LONG_WEEKDAY, 6};
                    }
                    if (rest.startsWith("Mon")) {
                        return new Object[] {Std.WEEKDAY, 3};
                    }
                    if (rest.startsWith("MST")) {
                        return new Object[] {Std.TZ, 3};
                    }
                    return null;
                case '0':
                    if (rest.length() >= 2 && rest.charAt(1) >= '1' && rest.charAt(1) <= '6') {
                        return new Object[] {new Std[] {Std.ZERO_MONTH, Std.ZERO_DAY, Std.ZERO_HOUR12, Std.ZERO_MINUTE, Std.ZERO_SECOND,
                                Std.YEAR}[rest.charAt(1) - '1'], 2};
                    }
                    if (rest.startsWith("002")) {
                        return new Object[] {Std.ZERO_YEARDAY, 3};
                    }
                    return null;
                case '1':
                    if (rest.startsWith("15")) {
                        return new Object[] {Std.HOUR, 2};
                    }
                    return new Object[] {Std.NUM_MONTH, 1};
                case '2':
                    if (rest.startsWith("2006")) {
                        return new Object[] {Std.LONG_YEAR, 4};
                    }
                    return new Object[] {Std.DAY, 1};
                case '_':
                    if (rest.startsWith("_2")) {
                        if (rest.startsWith("_2006")) {
                            return null; // "_" then the year
                        }
                        return new Object[] {Std.UNDER_DAY, 2};
                    }
                    if (rest.startsWith("__2")) {
                        return new Object[] {Std.UNDER_YEARDAY, 3};
                    }
                    return null;
                case '3':
                    return new Object[] {Std.HOUR12, 1};
                case '4':
                    return new Object[] {Std.MINUTE, 1};
                case '5':
                    return new Object[] {Std.SECOND, 1};
                case 'P':
                    return rest.startsWith("PM") ? new Object[] {Std.PM, 2} : null;
                case 'p':
                    return rest.startsWith("pm") ? new Object[] {Std.LOWER_PM, 2} : null;
                case '-':
                    for (Object[] z : new Object[][] {{"-070000", Std.NUM_TZ_SEC}, {"-07:00:00", Std.NUM_COLON_TZ_SEC}, {"-0700", Std.NUM_TZ},
                            {"-07:00", Std.NUM_COLON_TZ}, {"-07", Std.NUM_SHORT_TZ}}) {
                        if (rest.startsWith((String) z[0])) {
                            return new Object[] {z[1], ((String) z[0]).length()};
                        }
                    }
                    return null;
                case 'Z':
                    for (Object[] z : new Object[][] {{"Z070000", Std.ISO_TZ_SEC}, {"Z07:00:00", Std.ISO_TZ_COLON_SEC}, {"Z0700", Std.ISO_TZ},
                            {"Z07:00", Std.ISO_COLON_TZ}, {"Z07", Std.ISO_SHORT_TZ}}) {
                        if (rest.startsWith((String) z[0])) {
                            return new Object[] {z[1], ((String) z[0]).length()};
                        }
                    }
                    return null;
                case '.', ',':
                    if (rest.length() >= 2 && (rest.charAt(1) == '0' || rest.charAt(1) == '9')) {
                        char d = rest.charAt(1);
                        int j = 1;
                        while (j < rest.length() && rest.charAt(j) == d) {
                            j++;
                        }
                        if (j < rest.length() && Character.isDigit(rest.charAt(j))) {
                            return null;
                        }
                        return new Object[] {d == '0' ? Std.FRAC0 : Std.FRAC9, j};
                    }
                    return null;
                default:
                    return null;
            }
        }

        static String format(ZonedDateTime t, String layout) {
            var b = new StringBuilder();
            for (Chunk c : chunks(layout)) {
                if (c.literal != null) {
                    b.append(c.literal);
                    continue;
                }
                int hour = t.getHour();
                int offset = t.getOffset().getTotalSeconds();
                switch (c.std) {
                    case YEAR -> pad(b, Math.floorMod(t.getYear(), 100), 2);
                    case LONG_YEAR -> pad(b, t.getYear(), 4);
                    case MONTH -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                    case LONG_MONTH -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                    case NUM_MONTH -> b.append(t.getMonthValue());
                    case ZERO_MONTH -> pad(b, t.getMonthValue(), 2);
                    case WEEKDAY -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                    case LONG_WEEKDAY -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                    case DAY -> b.append(t.getDayOfMonth());
                    case UNDER_DAY -> b.append(t.getDayOfMonth() < 10 ? " " : "").append(t.getDayOfMonth());
                    case ZERO_DAY -> pad(b, t.getDayOfMonth(), 2);
                    case UNDER_YEARDAY -> b.append(String.format(Locale.ROOT, "%3d", t.getDayOfYear()));
                    case ZERO_YEARDAY -> pad(b, t.getDayOfYear(), 3);
                    case HOUR -> pad(b, hour, 2);
                    case HOUR12 -> b.append(hour % 12 == 0 ? 12 : hour % 12);
                    case ZERO_HOUR12 -> pad(b, hour % 12 == 0 ? 12 : hour % 12, 2);
                    case MINUTE -> b.append(t.getMinute());
                    case ZERO_MINUTE -> pad(b, t.getMinute(), 2);
                    case SECOND -> b.append(t.getSecond());
                    case ZERO_SECOND -> pad(b, t.getSecond(), 2);
                    case PM -> b.append(hour >= 12 ? "PM" : "AM");
                    case LOWER_PM -> b.append(hour >= 12 ? "pm" : "am");
                    case TZ -> {
                        String abbreviation = abbreviation(t);
                        if (abbreviation != null) {
                            b.append(abbreviation);
                        } else {
                            offset(b, offset, false, true, false);
                        }
                    }
                    case ISO_TZ_SEC, ISO_TZ_COLON_SEC, ISO_TZ, ISO_SHORT_TZ, ISO_COLON_TZ -> {
                        if (offset == 0) {
                            b.append('Z');
                        } else {
                            offset(b, offset, c.std == Std.ISO_TZ_COLON_SEC || c.std == Std.ISO_COLON_TZ,
                                    c.std != Std.ISO_SHORT_TZ, c.std == Std.ISO_TZ_SEC || c.std == Std.ISO_TZ_COLON_SEC);
                        }
                    }
                    case NUM_TZ_SEC, NUM_COLON_TZ_SEC, NUM_TZ, NUM_SHORT_TZ, NUM_COLON_TZ -> offset(b, offset,
                            c.std == Std.NUM_COLON_TZ_SEC || c.std == Std.NUM_COLON_TZ, c.std != Std.NUM_SHORT_TZ,
                            c.std == Std.NUM_TZ_SEC || c.std == Std.NUM_COLON_TZ_SEC);
                    case FRAC0 -> b.append(c.separator).append(String.format(Locale.ROOT, "%09d", t.getNano()), 0, c.digits);
                    case FRAC9 -> {
                        String digits = String.format(Locale.ROOT, "%09d", t.getNano()).substring(0, c.digits).replaceAll("0+$", "");
                        if (!digits.isEmpty()) {
                            b.append(c.separator).append(digits); // Go prints the layout's own separator, '.' or ','
                        }
                    }
                    default -> throw new IllegalStateException(c.std.name());
                }
            }
            return b.toString();
        }

        /** The zone's abbreviation as Go prints it: UTC as "UTC", a named zone's short name, else none. */
        private static String abbreviation(ZonedDateTime t) {
            if (t.getZone().equals(ZoneOffset.UTC) || t.getZone().getId().equals("UTC")) {
                return "UTC";
            }
            String name = java.time.format.DateTimeFormatter.ofPattern("zzz", Locale.ENGLISH).format(t);
            return name.startsWith("GMT") && name.length() > 3 ? null : name;
        }

        private static void offset(StringBuilder b, int seconds, boolean colon, boolean minutes, boolean withSeconds) {
            b.append(seconds < 0 ? '-' : '+');
            int abs = Math.abs(seconds);
            pad(b, abs / 3600, 2);
            if (minutes) {
                if (colon) {
                    b.append(':');
                }
                pad(b, abs / 60 % 60, 2);
            }
            if (withSeconds) {
                if (colon) {
                    b.append(':');
                }
                pad(b, abs % 60, 2);
            }
        }

        private static void pad(StringBuilder b, int v, int width) {
            String s = Integer.toString(Math.abs(v));
            if (v < 0) {
                b.append('-');
            }
            b.append("0".repeat(Math.max(0, width - s.length()))).append(s);
        }

        static ZonedDateTime parse(String layout, String value) {
            String orig = value;
            int year = 0;
            int month = -1;
            int day = -1;
            int yday = -1;
            int hour = 0;
            int min = 0;
            int sec = 0;
            int nsec = 0;
            boolean pmSet = false;
            boolean amSet = false;
            ZoneOffset zone = null;
            List<Chunk> chunks = chunks(layout);
            for (int ci = 0; ci < chunks.size(); ci++) {
                Chunk c = chunks.get(ci);
                if (c.literal != null) {
                    String lit = c.literal;
                    // Go skips spaces in both layout and value where the layout has them.
                    int li = 0;
                    int vi = 0;
                    while (li < lit.length()) {
                        if (lit.charAt(li) == ' ') {
                            while (li < lit.length() && lit.charAt(li) == ' ') {
                                li++;
                            }
                            if (vi >= value.length() || value.charAt(vi) != ' ') {
                                if (vi < value.length() || li < lit.length()) {
                                    throw bad(orig, layout);
                                }
                            }
                            while (vi < value.length() && value.charAt(vi) == ' ') {
                                vi++;
                            }
                            continue;
                        }
                        if (vi >= value.length() || value.charAt(vi) != lit.charAt(li)) {
                            throw bad(orig, layout);
                        }
                        li++;
                        vi++;
                    }
                    value = value.substring(vi);
                    continue;
                }
                int[] got;
                switch (c.std) {
                    case YEAR -> {
                        got = num(value, 2, 2, orig, layout);
                        year = got[0] >= 69 ? 1900 + got[0] : 2000 + got[0];
                    }
                    case LONG_YEAR -> {
                        if (value.length() < 4 || !value.substring(0, 4).chars().allMatch(Character::isDigit)) {
                            throw bad(orig, layout);
                        }
                        got = new int[] {Integer.parseInt(value.substring(0, 4)), 4};
                        year = got[0];
                    }
                    case MONTH, LONG_MONTH -> {
                        got = name(value, c.std == Std.MONTH, true, orig, layout);
                        month = got[0];
                    }
                    case NUM_MONTH, ZERO_MONTH -> {
                        got = num(value, c.std == Std.ZERO_MONTH ? 2 : 1, 2, orig, layout);
                        month = got[0];
                        if (month < 1 || month > 12) {
                            throw range("month", orig);
                        }
                    }
                    case WEEKDAY, LONG_WEEKDAY -> got = name(value, c.std == Std.WEEKDAY, false, orig, layout);
                    case DAY, UNDER_DAY, ZERO_DAY -> {
                        if (c.std == Std.UNDER_DAY && value.startsWith(" ")) {
                            value = value.substring(1);
                        }
                        got = num(value, c.std == Std.ZERO_DAY ? 2 : 1, 2, orig, layout);
                        day = got[0];
                    }
                    case UNDER_YEARDAY, ZERO_YEARDAY -> {
                        int skipped = 0;
                        if (c.std == Std.UNDER_YEARDAY) {
                            while (skipped < 2 && value.startsWith(" ")) {
                                value = value.substring(1);
                                skipped++;
                            }
                        }
                        got = num(value, c.std == Std.ZERO_YEARDAY ? 3 : 1, 3, orig, layout);
                        yday = got[0];
                        if (yday < 1 || yday > 366) {
                            throw range("day-of-year", orig);
                        }
                    }
                    case HOUR -> {
                        got = num(value, 1, 2, orig, layout);
                        hour = got[0];
                        if (hour > 23) {
                            throw range("hour", orig);
                        }
                    }
                    case HOUR12, ZERO_HOUR12 -> {
                        got = num(value, c.std == Std.ZERO_HOUR12 ? 2 : 1, 2, orig, layout);
                        hour = got[0];
                        if (hour > 12) {
                            throw range("hour", orig);
                        }
                    }
                    case MINUTE, ZERO_MINUTE -> {
                        got = num(value, c.std == Std.ZERO_MINUTE ? 2 : 1, 2, orig, layout);
                        min = got[0];
                        if (min > 59) {
                            throw range("minute", orig);
                        }
                    }
                    case SECOND, ZERO_SECOND -> {
                        got = num(value, c.std == Std.ZERO_SECOND ? 2 : 1, 2, orig, layout);
                        sec = got[0];
                        if (sec > 59) {
                            throw range("second", orig);
                        }
                        String after = value.substring(got[1]);
                        // A fraction the layout does not name is still read, unless the next chunk is one.
                        boolean nextIsFrac = ci + 1 < chunks.size() && chunks.get(ci + 1).std != null
                                && (chunks.get(ci + 1).std == Std.FRAC0 || chunks.get(ci + 1).std == Std.FRAC9);
                        if (!nextIsFrac && after.length() >= 2 && (after.charAt(0) == '.' || after.charAt(0) == ',')
                                && Character.isDigit(after.charAt(1))) {
                            int n = 2;
                            while (n < after.length() && Character.isDigit(after.charAt(n))) {
                                n++;
                            }
                            nsec = nanos(after.substring(1, n));
                            got = new int[] {0, got[1] + n};
                        }
                    }
                    case PM -> {
                        if (value.length() < 2) {
                            throw bad(orig, layout);
                        }
                        String p = value.substring(0, 2);
                        if (p.equals("PM")) {
                            pmSet = true;
                        } else if (p.equals("AM")) {
                            amSet = true;
                        } else {
                            throw bad(orig, layout);
                        }
                        got = new int[] {0, 2};
                    }
                    case LOWER_PM -> {
                        if (value.length() < 2) {
                            throw bad(orig, layout);
                        }
                        String p = value.substring(0, 2);
                        if (p.equals("pm")) {
                            pmSet = true;
                        } else if (p.equals("am")) {
                            amSet = true;
                        } else {
                            throw bad(orig, layout);
                        }
                        got = new int[] {0, 2};
                    }
                    case TZ -> {
                        if (value.startsWith("UTC")) {
                            zone = ZoneOffset.UTC;
                            got = new int[] {0, 3};
                        } else {
                            int n = zoneName(value);
                            if (n <= 0) {
                                throw bad(orig, layout);
                            }
                            zone = ZoneOffset.UTC; // an abbreviation Go does not know: its offset is taken as zero
                            got = new int[] {0, n};
                        }
                    }
                    case FRAC0 -> {
                        int n = 1 + c.digits;
                        if (value.length() < n || (value.charAt(0) != '.' && value.charAt(0) != ',')) {
                            throw bad(orig, layout);
                        }
                        String digits = value.substring(1, n);
                        if (!digits.chars().allMatch(Character::isDigit)) {
                            throw bad(orig, layout);
                        }
                        nsec = nanos(digits);
                        got = new int[] {0, n};
                    }
                    case FRAC9 -> {
                        if (value.length() < 2 || (value.charAt(0) != '.' && value.charAt(0) != ',') || !Character.isDigit(value.charAt(1))) {
                            got = new int[] {0, 0};
                        } else {
                            int n = 1;
                            while (n < 10 && n < value.length() && Character.isDigit(value.charAt(n))) {
                                n++;
                            }
                            nsec = nanos(value.substring(1, n));
                            got = new int[] {0, n};
                        }
                    }
                    default -> {
                        // numeric zones
                        boolean iso = c.std.name().startsWith("ISO");
                        if (iso && value.startsWith("Z")) {
                            zone = ZoneOffset.UTC;
                            got = new int[] {0, 1};
                            break;
                        }
                        Object[] z = numericZone(value, c.std, orig, layout);
                        zone = (ZoneOffset) z[0];
                        got = new int[] {0, (int) z[1]};
                    }
                }
                value = value.substring(got[1]);
            }
            if (!value.isEmpty()) {
                throw new BuiltinException("parsing time \"" + orig + "\": extra text: \"" + value + "\"");
            }
            if (pmSet && hour < 12) {
                hour += 12;
            } else if (amSet && hour == 12) {
                hour = 0;
            }
            if (yday >= 0) {
                int m;
                int d;
                if (month < 0 && day < 0) {
                    LocalDate ld;
                    try {
                        ld = LocalDate.ofYearDay(year, yday);
                    } catch (java.time.DateTimeException e) {
                        throw range("day-of-year", orig);
                    }
                    m = ld.getMonthValue();
                    d = ld.getDayOfMonth();
                } else {
                    LocalDate ld = LocalDate.of(year, Math.max(month, 1), Math.max(day, 1));
                    if (ld.getDayOfYear() != yday) {
                        throw range("day-of-year", orig);
                    }
                    m = ld.getMonthValue();
                    d = ld.getDayOfMonth();
                }
                month = m;
                day = d;
            }
            if (month < 0) {
                month = 1;
            }
            if (day < 0) {
                day = 1;
            }
            if (day < 1 || day > Month.of(month).length(java.time.Year.isLeap(year))) {
                throw range("day", orig);
            }
            LocalDateTime local = LocalDateTime.of(year, month, day, hour, min, sec, nsec);
            return local.atZone(zone == null ? ZoneOffset.UTC : zone);
        }

        private static int nanos(String digits) {
            String d = digits.length() > 9 ? digits.substring(0, 9) : digits;
            return Integer.parseInt(d + "0".repeat(9 - d.length()));
        }

        /** Go's parseTimeZone: 3 letters, 4 ending in T, ChST/MeST, or GMT with an offset. */
        private static int zoneName(String v) {
            if (v.length() < 3) {
                return -1;
            }
            if (v.startsWith("ChST") || v.startsWith("MeST")) {
                return 4;
            }
            if (v.startsWith("GMT")) {
                int n = 3;
                if (n < v.length() && (v.charAt(n) == '+' || v.charAt(n) == '-')) {
                    n++;
                    while (n < v.length() && Character.isDigit(v.charAt(n))) {
                        n++;
                    }
                }
                return n;
            }
            int upper = 0;
            while (upper < v.length() && upper < 6 && Character.isUpperCase(v.charAt(upper))) {
                upper++;
            }
            return switch (upper) {
                case 0, 1, 2, 6 -> -1;
                case 5 -> v.charAt(4) == 'T' ? 5 : -1;
                case 4 -> v.charAt(3) == 'T' || v.startsWith("WITA") ? 4 : -1;
                default -> 3;
            };
        }

        private static Object[] numericZone(String v, Std std, String orig, String layout) {
            String name = std.name();
            boolean colon = name.contains("COLON");
            boolean withSec = name.endsWith("SEC");
            boolean shortTz = name.endsWith("SHORT_TZ");
            int len = 1 + 2 + (shortTz ? 0 : (colon ? 3 : 2)) + (withSec ? (colon ? 3 : 2) : 0);
            if (v.length() < len || (v.charAt(0) != '+' && v.charAt(0) != '-')) {
                throw bad(orig, layout);
            }
            String hh = v.substring(1, 3);
            String mm = "00";
            String ss = "00";
            int at = 3;
            if (!shortTz) {
                if (colon) {
                    if (v.charAt(at) != ':') {
                        throw bad(orig, layout);
                    }
                    at++;
                }
                mm = v.substring(at, at + 2);
                at += 2;
            }
            if (withSec) {
                if (colon) {
                    if (v.charAt(at) != ':') {
                        throw bad(orig, layout);
                    }
                    at++;
                }
                ss = v.substring(at, at + 2);
                at += 2;
            }
            if (!(hh + mm + ss).chars().allMatch(Character::isDigit)) {
                throw bad(orig, layout);
            }
            int h = Integer.parseInt(hh);
            int m = Integer.parseInt(mm);
            int s = Integer.parseInt(ss);
            if (h > 24) {
                throw range("time zone offset hour", orig);
            }
            if (m > 60) {
                throw range("time zone offset minute", orig);
            }
            if (s > 60) {
                throw range("time zone offset second", orig);
            }
            int total = (h * 3600 + m * 60 + s) * (v.charAt(0) == '-' ? -1 : 1);
            try {
                return new Object[] {ZoneOffset.ofTotalSeconds(total), at};
            } catch (java.time.DateTimeException e) {
                throw range("time zone offset", orig);
            }
        }

        private static int[] num(String v, int min, int max, String orig, String layout) {
            int n = 0;
            while (n < max && n < v.length() && Character.isDigit(v.charAt(n))) {
                n++;
            }
            if (n < min) {
                throw bad(orig, layout);
            }
            return new int[] {Integer.parseInt(v.substring(0, n)), n};
        }

        private static int[] name(String v, boolean shortName, boolean month, String orig, String layout) {
            int count = month ? 12 : 7;
            for (int i = 0; i < count; i++) {
                String n = month ? Month.of(i + 1).getDisplayName(shortName ? TextStyle.SHORT : TextStyle.FULL, Locale.ENGLISH)
                        : DayOfWeek.of(i == 0 ? 7 : i).getDisplayName(shortName ? TextStyle.SHORT : TextStyle.FULL, Locale.ENGLISH);
                if (v.length() >= n.length() && v.substring(0, n.length()).equalsIgnoreCase(n)) {
                    return new int[] {i + 1, n.length()};
                }
            }
            throw bad(orig, layout);
        }

        private static BuiltinException bad(String value, String layout) {
            return new BuiltinException("parsing time \"" + value + "\" as \"" + layout + "\": cannot parse");
        }

        private static BuiltinException range(String what, String value) {
            return new BuiltinException("parsing time \"" + value + "\": " + what + " out of range");
        }
    }
}
