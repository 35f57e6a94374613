package dev.plinth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.PolicyEngine;
import dev.plinth.engine.builtins.HostBuiltins;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The builtins OPA's wasm target leaves to the host, called from modules the pinned OPA CLI
 * compiled: impure ones are read once per evaluation and keep a policy out of the decision
 * cache; sets come back as sets; JWTs verify against a JWK set with exp and nbf checked at
 * the evaluation's time; bad arguments are undefined, as in OPA, and leave the engine
 * serving. (OPA's own cases, run by the conformance suite, are the main oracle.)
 */
class HostBuiltinsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static PolicyEngine engine;

    /** An injected clock the test moves. */
    static final class MovableClock extends Clock {
        final AtomicLong nanos;
        final long tick;

        MovableClock(Instant start, long tickNanos) {
            this.nanos = new AtomicLong(start.getEpochSecond() * 1_000_000_000L + start.getNano());
            this.tick = tickNanos;
        }

        @Override
        public Instant instant() {
            long n = nanos.getAndAdd(tick);
            return Instant.ofEpochSecond(0, n);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        void advanceSeconds(long s) {
            nanos.addAndGet(s * 1_000_000_000L);
        }
    }

    private static final String POLICY = """
            package t

            fresh if input.exp_ns > time.now_ns()

            one_instant if {
                a := time.now_ns()
                b := time.now_ns()
                a == b
            }

            same_random if rand.intn("k", 1000000000) == rand.intn("k", 1000000000)

            expanded := net.cidr_expand("10.0.0.0/30")

            v6 := net.cidr_contains_matches("2001:db8::/32", ["2001:db8::1", "2001:db9::1", "10.0.0.1"])

            jwt := io.jwt.decode_verify(input.jwt, {"cert": input.jwks})

            bad_hex := hex.decode(input.not_a_string)

            versions := [semver.compare("1.2.3", "1.10.0"), semver.compare("v2.0.0-rc.1", "2.0.0")]

            amounts := [units.parse_bytes("1.5KiB"), units.parse("100m"), time.parse_duration_ns("1.5d")]
            """;

    @BeforeAll
    static void compile() throws Exception {
        engine = new PolicyEngine(build(POLICY, "t/fresh", "t/one_instant", "t/same_random", "t/expanded", "t/v6", "t/jwt", "t/bad_hex",
                "t/versions", "t/amounts"), 2, 1000);
    }

    static Bundle build(String rego, String... entrypoints) throws Exception {
        Path dir = Files.createTempDirectory("plinth-builtins");
        Files.writeString(dir.resolve("t.rego"), rego);
        var cmd = new java.util.ArrayList<>(List.of(System.getProperty("plinth.opa.bin"), "build", "-t", "wasm", "-o", "out.tar.gz"));
        for (String e : entrypoints) {
            cmd.add("-e");
            cmd.add(e);
        }
        cmd.add("t.rego");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(log).isZero();
        return Bundle.read(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("out.tar.gz"))));
    }

    private static Optional<JsonNode> eval(String entrypoint, String input) throws Exception {
        return engine.evaluate(entrypoint, JSON.readTree(input));
    }

    @Test
    void aSetInResultsComesOutSortedAndASetInInputStaysASet() throws Exception {
        var e = new PolicyEngine(build("""
                package s

                sorted := {"b", "a", "c", 3, 1, [2], {"k": 1}}

                given := {"is_set": is_set(input.s), "count": count(input.s), "has": input.s["x"]}
                """, "s/sorted", "s/given"), 1, 0);
        assertThat(e.evaluate("s/sorted", JSON.createObjectNode()).orElseThrow().toString())
                .as("OPA's order: numbers, strings, arrays, objects").isEqualTo("[1,3,\"a\",\"b\",\"c\",[2],{\"k\":1}]");
        var input = JSON.createObjectNode();
        input.set("s", dev.plinth.engine.builtins.ValueText.SetNode.of(List.of(JSON.getNodeFactory().textNode("x"),
                JSON.getNodeFactory().textNode("x"), JSON.getNodeFactory().textNode("y"))));
        var set = e.evaluateResultSet("s/given", Optional.of(input));
        assertThat(set.get(0).path("result")).isEqualTo(JSON.readTree("{\"count\": 2, \"has\": \"x\", \"is_set\": true}"));
    }

    @Test
    void aTimeDependentDecisionFollowsTheInjectedClockAndIsNeverCached() throws Exception {
        var clock = new MovableClock(Instant.parse("2026-12-01T12:00:00Z"), 0);
        engine.clock(clock);
        long exp = Instant.parse("2026-12-01T12:01:00Z").getEpochSecond() * 1_000_000_000L;
        ObjectNode input = JSON.createObjectNode().put("exp_ns", exp);
        assertThat(engine.impureBuiltins()).contains("time.now_ns", "rand.intn", "io.jwt.decode_verify");
        assertThat(engine.cachesDecisions()).as("a module importing an impure builtin is not cached").isFalse();

        assertThat(engine.evaluateCached("t/fresh", "same-key", () -> input)).contains(JSON.getNodeFactory().booleanNode(true));
        clock.advanceSeconds(120);
        assertThat(engine.evaluateCached("t/fresh", "same-key", () -> input))
                .as("the clock moved past exp: the same key is evaluated again, not answered from the cache").isEmpty();
    }

    @Test
    void impureBuiltinsAnswerOneValuePerEvaluation() throws Exception {
        engine.clock(new MovableClock(Instant.parse("2026-12-01T12:00:00Z"), 1)); // every read of the clock moves it
        assertThat(eval("t/one_instant", "{}")).as("time.now_ns is read once per evaluation").isPresent();
        assertThat(eval("t/same_random", "{}")).as("rand.intn is memoized by its arguments").isPresent();
    }

    @Test
    void aPurePolicyStaysCached() throws Exception {
        var pure = new PolicyEngine(build("package p\n\nallow if semver.compare(input.v, \"1.0.0\") >= 0\n", "p/allow"), 1, 10);
        assertThat(pure.impureBuiltins()).isEmpty();
        assertThat(pure.cachesDecisions()).isTrue();
    }

    @Test
    void setsComeBackAsSetsAndIpv6NetworksMatch() throws Exception {
        JsonNode expanded = eval("t/expanded", "{}").orElseThrow();
        assertThat(expanded).hasSize(4);
        assertThat(expanded.toString()).contains("\"10.0.0.0\"", "\"10.0.0.3\"");
        JsonNode v6 = eval("t/v6", "{}").orElseThrow();
        assertThat(v6.toString()).isEqualTo("[[\"2001:db8::/32\",0]]");
    }

    @Test
    void aJwtVerifiesAgainstAJwkSetAtTheEvaluationsTime() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        String jwks = new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString();
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        engine.clock(new MovableClock(now, 0));

        String rs = token(new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-1", now.minusSeconds(60), now.plusSeconds(60));
        String es = token(new ECDSASigner(ec), JWSAlgorithm.ES256, "ec-1", now.minusSeconds(60), now.plusSeconds(60));
        String expired = token(new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-1", now.minusSeconds(600), now.minusSeconds(1));
        String future = token(new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-1", now.plusSeconds(10), now.plusSeconds(600));
        RSAKey other = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        String forged = token(new RSASSASigner(other), JWSAlgorithm.RS256, "rsa-1", now.minusSeconds(60), now.plusSeconds(60));

        for (String valid : List.of(rs, es)) {
            JsonNode r = eval("t/jwt", JSON.createObjectNode().put("jwt", valid).put("jwks", jwks).toString()).orElseThrow();
            assertThat(r.get(0).asBoolean()).as(r.toString()).isTrue();
            assertThat(r.get(2).path("sub").asText()).isEqualTo("u_ana");
        }
        for (String invalid : List.of(expired, future, forged)) {
            JsonNode r = eval("t/jwt", JSON.createObjectNode().put("jwt", invalid).put("jwks", jwks).toString()).orElseThrow();
            assertThat(r.toString()).isEqualTo("[false,{},{}]");
        }
    }

    private static String token(com.nimbusds.jose.JWSSigner signer, JWSAlgorithm alg, String kid, Instant nbf, Instant exp)
            throws Exception {
        var jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), new JWTClaimsSet.Builder().subject("u_ana")
                .notBeforeTime(Date.from(nbf)).expirationTime(Date.from(exp)).build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    @Test
    void badArgumentsAreUndefinedAndLeaveTheEngineServing() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(eval("t/bad_hex", "{\"not_a_string\": 42}")).isEmpty();
        }
        assertThat(eval("t/versions", "{}").orElseThrow().toString()).isEqualTo("[-1,-1]");
        assertThat(engine.decisionPool().created()).isLessThanOrEqualTo(2);
    }

    @Test
    void goLayoutsFormatParseAndCarryOverAsGoDoes() throws Exception {
        var f = JSON.getNodeFactory();
        var at = JSON.readTree("[1700000000123456789, \"UTC\", \"2006-01-02T15:04:05,000Z07:00\"]");
        assertThat(HostBuiltins.get("time.format").call(at).asText()).isEqualTo("2023-11-14T22:13:20,123Z");
        assertThat(HostBuiltins.get("time.parse_ns").call(f.textNode("2006-01-02 15:04 MST"), f.textNode("2023-11-14 22:13 UTC"))
                .asLong()).isEqualTo(1_699_999_980_000_000_000L);
        // Go's AddDate normalizes: January 31 plus one month is March 3 (2026 is not a leap year).
        assertThat(HostBuiltins.get("time.add_date").call(f.numberNode(1_769_817_600_000_000_000L), f.numberNode(0), f.numberNode(1),
                f.numberNode(0)).asLong()).isEqualTo(1_772_496_000_000_000_000L);
        assertThat(HostBuiltins.get("time.parse_rfc3339_ns").call(f.textNode("2026-13-01T00:00:00Z"))).as("month 13: undefined").isNull();
    }

    @Test
    void sprintfFormatsAsGoDoes() throws Exception {
        assertThat(sprintf("%v", "[1000000.0]")).isEqualTo("1e+06");
        assertThat(sprintf("%5.2f|%-5d|%05d|%x|%q", "[3.14159, 42, -42, 255, \"a\\\"b\"]"))
                .isEqualTo(" 3.14|42   |-0042|ff|\"a\\\"b\"");
        assertThat(sprintf("%d", "[\"x\"]")).isEqualTo("%!d(string=x)");
        assertThat(sprintf("%s %s", "[\"a\"]")).isEqualTo("a %!s(MISSING)");
        assertThat(sprintf("%v", "[{\"b\": 1, \"a\": [1, 2]}]")).as("a composite in Rego's own syntax").isEqualTo("{\"a\": [1, 2], \"b\": 1}");
        assertThat(sprintf("%s", "[1]")).isEqualTo("%!s(int64=1)");
        assertThat(sprintf("%d", "[1, 2]")).isEqualTo("1%!(EXTRA int64=2)");
    }

    private static String sprintf(String format, String args) throws Exception {
        return HostBuiltins.get("sprintf").call(JSON.getNodeFactory().textNode(format), JSON.readTree(args)).asText();
    }

    @Test
    void numbersStayExact() throws Exception {
        assertThat(eval("t/amounts", "{}").orElseThrow().toString()).isEqualTo("[1536,0.1,129600000000000]");
        assertThat(HostBuiltins.get("units.parse_bytes").call(JSON.getNodeFactory().textNode("1e3kb")).asLong()).isEqualTo(1_000_000);
        assertThat(HostBuiltins.get("semver.compare").call(JSON.getNodeFactory().textNode("01.0.0"),
                JSON.getNodeFactory().textNode("1.0.0"))).as("a leading zero is not SemVer: undefined").isNull();
    }
}
