package dev.plinth.bench;

import com.dylibso.chicory.wasm.Parser;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.PolicyEngine;
import java.lang.management.ManagementFactory;

/**
 * What loading a policy module costs: Chicory's parse with its validation (every new wasm
 * instance pays it: a bundle activation, each instance a pool adds), and a whole engine
 * (parse, validation, compilation to JVM bytecode, the data loaded) for the built-in
 * bundle. Warm: 50 rounds untimed, then 100 timed. Run it as is (bootstrap/jvm.options) and
 * with {@code PLINTH_JAVA_OPTS=-XX:+DontCompileHugeMethods} (HotSpot's default) to see why
 * that file exists.
 *
 * <p>Run: {@code ./plinth bench moduleload}.
 */
public final class ModuleLoad {

    private ModuleLoad() {}

    public static void main(String[] args) throws Exception {
        var hugeFlag = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .getVMOption("DontCompileHugeMethods").getValue();
        Bundle bundle = Bundle.builtin();
        byte[] wasm = bundle.wasm();
        long[] validated = new long[100];
        long[] parsed = new long[100];
        long[] engine = new long[100];
        for (int i = -50; i < 100; i++) {
            long t0 = System.nanoTime();
            Parser.parse(wasm);
            long t1 = System.nanoTime();
            Parser.builder().withValidation(false).build().parse(() -> new java.io.ByteArrayInputStream(wasm));
            long t2 = System.nanoTime();
            new PolicyEngine(bundle, 1, 0);
            long t3 = System.nanoTime();
            if (i >= 0) {
                validated[i] = t1 - t0;
                parsed[i] = t2 - t1;
                engine[i] = t3 - t2;
            }
            if ((i + 51) % 25 == 0) {
                System.err.println("  round " + (i + 51) + "/150");
            }
        }
        System.out.printf("module: %,d bytes (the built-in bundle's policy.wasm); DontCompileHugeMethods=%s%n", wasm.length, hugeFlag);
        System.out.println("parse + validate:                 " + Bench.percentiles(validated));
        System.out.println("parse only (no validation):       " + Bench.percentiles(parsed));
        System.out.println("engine (parse, validate, compile): " + Bench.percentiles(engine));
    }
}
