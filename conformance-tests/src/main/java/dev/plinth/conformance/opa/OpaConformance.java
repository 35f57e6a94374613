package dev.plinth.conformance.opa;

import dev.plinth.engine.api.PolicyEngine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs OPA's language test cases through Plinth's engine and tallies them by category.
 * A case either passes, is excused by a known exception (with its reason), or fails. An
 * excused case that passes is a failure of the exceptions file (it must be removed), and
 * so, after a full run, is a pattern that excused nothing.
 */
public final class OpaConformance {

    public enum Status { PASSED, EXCUSED, FAILED, EXCUSED_BUT_PASSED }

    /** @param excusedBy the known-exceptions entry that excused it (host_builtins/… or a case pattern), or null */
    public record CaseResult(OpaCase c, Status status, String detail, String excusedBy, java.util.Set<String> builtins) {
        CaseResult(OpaCase c, Status status, String detail) {
            this(c, status, detail, null, java.util.Set.of());
        }

        CaseResult(OpaCase c, Status status, String detail, String excusedBy) {
            this(c, status, detail, excusedBy, java.util.Set.of());
        }

        CaseResult with(java.util.Set<String> used) {
            return new CaseResult(c, status, detail, excusedBy, used);
        }
    }

    public record Tally(int passed, int excused, int failed) {
        Tally add(Status s) {
            return switch (s) {
                case PASSED -> new Tally(passed + 1, excused, failed);
                case EXCUSED -> new Tally(passed, excused + 1, failed);
                case FAILED, EXCUSED_BUT_PASSED -> new Tally(passed, excused, failed + 1);
            };
        }

        int total() {
            return passed + excused + failed;
        }
    }

    public record Report(List<CaseResult> results, Map<String, Tally> byCategory, List<String> staleExceptions,
            long millis) {

        public List<CaseResult> problems() {
            return results.stream().filter(r -> r.status() == Status.FAILED || r.status() == Status.EXCUSED_BUT_PASSED).toList();
        }

        public Tally total() {
            var t = new Tally(0, 0, 0);
            for (var r : results) {
                t = t.add(r.status());
            }
            return t;
        }

        public boolean clean() {
            return problems().isEmpty() && staleExceptions.isEmpty();
        }
    }

    private OpaConformance() {}

    /**
     * @param subset    which cases to run: the CI subset keeps every wasm-specific case and
     *                  a deterministic sample of the language cases
     * @param full      true when every case runs, so unused exceptions are reported as stale
     */
    public static Report run(Path folder, List<OpaCase> subset, boolean full, PolicyEngine.Execution execution,
            PrintStream progress) throws InterruptedException {
        var exceptions = KnownExceptions.load();
        var judge = new CaseJudge(folder, execution);
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        var done = new AtomicInteger();
        long start = System.nanoTime();
        var futures = new ArrayList<Future<CaseResult>>();
        for (OpaCase c : subset) {
            futures.add(pool.submit(() -> {
                CaseResult r = runOne(judge, exceptions, c);
                int n = done.incrementAndGet();
                if (n % 250 == 0 || n == subset.size()) {
                    progress.printf("opa conformance: %d of %d cases (%d s)%n", n, subset.size(),
                            (System.nanoTime() - start) / 1_000_000_000L);
                }
                return r;
            }));
        }
        var results = new ArrayList<CaseResult>();
        try {
            for (var f : futures) {
                results.add(f.get());
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a case crashed the runner", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        var byCategory = new TreeMap<String, Tally>();
        for (var r : results) {
            byCategory.merge(r.c().category(), new Tally(0, 0, 0).add(r.status()),
                    (a, b) -> new Tally(a.passed() + b.passed(), a.excused() + b.excused(), a.failed() + b.failed()));
        }
        List<String> stale = full ? List.copyOf(exceptions.unused()) : List.of();
        return new Report(results, byCategory, stale, (System.nanoTime() - start) / 1_000_000);
    }

    private static CaseResult runOne(CaseJudge judge, KnownExceptions exceptions, OpaCase c) {
        CaseJudge.Verdict[] verdict = new CaseJudge.Verdict[1];
        CaseResult r = judged(judge, exceptions, c, verdict);
        return verdict[0] == null ? r : r.with(verdict[0].builtins());
    }

    private static CaseResult judged(CaseJudge judge, KnownExceptions exceptions, OpaCase c, CaseJudge.Verdict[] out) {
        CaseJudge.Verdict v;
        try {
            v = judge.judge(c);
        } catch (RuntimeException | StackOverflowError e) {
            v = new CaseJudge.Verdict(false, "engine threw " + e, new CaseJudge.Cause.Other());
        }
        out[0] = v;
        if (v.passed()) {
            // Only a case entry can excuse a passing case by name; a class entry matches failures only.
            var byName = exceptions.match(c, new CaseJudge.Cause.Other());
            if (byName.isPresent()) {
                return new CaseResult(c, Status.EXCUSED_BUT_PASSED, "passes now; remove known exception '" + byName.get().getKey() + "'");
            }
            return new CaseResult(c, Status.PASSED, v.detail());
        }
        var excuse = exceptions.match(c, v.cause());
        if (excuse.isPresent()) {
            return new CaseResult(c, Status.EXCUSED, excuse.get().getValue() + " — observed: " + v.detail(),
                    excuse.get().getKey());
        }
        return new CaseResult(c, v.passed() ? Status.PASSED : Status.FAILED, v.detail());
    }

    /** Every wasm-specific case, and every {@code stride}-th language case (by id, so the sample is stable). */
    public static List<OpaCase> ciSubset(List<OpaCase> all, int stride) {
        return all.stream().filter(c -> c.category().startsWith("wasm/") || c.id() % stride == 0).toList();
    }

    /**
     * Usage: {@code OpaConformance <cases folder> [--full|--ci] [--only <text>] [--interpreted] [--report docs/conformance.md]}.
     * Exits 1 when a case fails unexcused or an exception is stale. {@code --only} runs the cases
     * whose name or category contains the text (while working on one family; no report is written).
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: OpaConformance <cases folder> [--full|--ci] [--only <text>] [--interpreted] [--report <file.md>]");
            System.exit(2);
        }
        Path folder = Path.of(args[0]);
        boolean full = true;
        var execution = PolicyEngine.Execution.COMPILED;
        Path reportFile = null;
        String only = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--full" -> full = true;
                case "--ci" -> full = false;
                case "--interpreted" -> execution = PolicyEngine.Execution.INTERPRETED;
                case "--report" -> reportFile = Path.of(args[++i]);
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<OpaCase> all = OpaCase.readAll(folder);
        List<OpaCase> cases = full ? all : ciSubset(all, CI_STRIDE);
        if (only != null) {
            String text = only;
            cases = all.stream().filter(c -> c.key().contains(text) || c.category().contains(text)).toList();
            full = false;
            reportFile = null;
        }
        System.out.printf("opa conformance: %d of %d cases, %s engine, %d threads%n", cases.size(), all.size(),
                execution.name().toLowerCase(), Runtime.getRuntime().availableProcessors());
        Report report = run(folder, cases, full, execution, System.out);
        for (var r : report.problems()) {
            System.out.printf("FAILED %s (%s): %s%n", r.c().key(), r.c().category(), r.detail());
        }
        for (String s : report.staleExceptions()) {
            System.out.printf("STALE known exception '%s' excused no case%n", s);
        }
        Tally t = report.total();
        System.out.printf("opa conformance: %d passed, %d failed, %d excused by known exceptions (%d cases in %d s)%n",
                t.passed(), t.failed(), t.excused(), t.total(), report.millis() / 1000);
        if (reportFile != null) {
            ConformanceReport.write(reportFile, ConformanceReport.markdown(report, all.size(), full, execution));
            System.out.println("opa conformance: wrote the results into " + reportFile);
        }
        System.exit(report.clean() ? 0 : 1);
    }

    /** One language case in this many runs in CI (with every wasm-specific case). */
    public static final int CI_STRIDE = 8;
}
