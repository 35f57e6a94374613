package dev.plinth.conformance.opa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.engine.api.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every one of OPA's language test cases (v1, v0 and the wasm-specific assets of the
 * pinned OPA module), compiled by OPA's compiler and evaluated by Plinth's engine in its
 * production (compiled) mode. The full set takes ~3 minutes on two cores, so CI runs all
 * of it. Fails on any unexcused failure, any excused case that now passes, and any
 * known exception that excused nothing.
 */
class OpaUpstreamCasesTest {

    private static final Path CASES = Path.of(System.getProperty("opa.cases.dir", "target/opa-cases"));

    @Test
    void everyUpstreamCasePassesOrHasAStatedReason() throws Exception {
        List<OpaCase> all = OpaCase.readAll(CASES);
        assertTrue(all.size() > 4_000, "expected OPA's ~4,800 cases, found " + all.size());
        var report = OpaConformance.run(CASES, all, true, PolicyEngine.Execution.COMPILED, System.out);
        Files.writeString(Path.of("target/opa-conformance.md"),
                ConformanceReport.markdown(report, all.size(), true, PolicyEngine.Execution.COMPILED));
        String problems = report.problems().stream()
                .map(r -> r.status() + " " + r.c().key() + ": " + r.detail()).collect(Collectors.joining("\n"));
        assertEquals("", problems, "cases failing without a known exception (or excused but passing)");
        assertEquals(List.of(), report.staleExceptions(), "known exceptions that excused no case");
        var total = report.total();
        assertEquals(all.size(), total.total());
        assertTrue(total.passed() > total.excused(), "most cases must pass: " + total);
    }

    @Test
    void aWrongAnswerIsAFailureNotAPass() throws Exception {
        // The judge itself: take a case that passes and give it a wrong expectation.
        OpaCase good = OpaCase.readAll(CASES).stream()
                .filter(c -> c.wantResult() != null && c.compileError() == null && c.wantResult().size() == 1
                        && c.key().equals("wasm/one"))
                .findFirst().orElseThrow();
        var judge = new CaseJudge(CASES, PolicyEngine.Execution.INTERPRETED);
        assertTrue(judge.judge(good).passed(), "wasm/one passes as written");
        var wrong = new com.fasterxml.jackson.databind.ObjectMapper().readTree("[{\"x\": 2}]");
        var altered = new OpaCase(good.id(), good.category(), good.note(), good.file(), good.query(), good.data(),
                good.input(), good.hasInput(), good.inputValue(), null, wrong, null, null, false, false, null, good.wasm(), null);
        var verdict = judge.judge(altered);
        assertFalse(verdict.passed());
        assertTrue(verdict.detail().contains("wanted [{\"x\":2}]"), verdict.detail());
    }
}
