package dev.plinth.bench;

import dev.plinth.testing.Replicas;
import dev.plinth.testing.TestInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Throughput of {@code GET /v1/context} (the request a platform's caller makes) through HAProxy
 * in front of three, two and one replicas of the image, and straight to one replica without
 * the balancer, with the same wrk. On two cores the replicas, HAProxy and wrk share the same
 * CPUs, so this shows the balancer's cost, not scaling.
 *
 * <p>Run: {@code ./plinth bench balancer [seconds] [connections]} (it builds the image first).
 */
public final class BalancerThroughput {

    private BalancerThroughput() {}

    public static void main(String[] args) throws Exception {
        String image = args[0];
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path work = Files.createDirectories(Path.of("target/balancer"));
        String project = TestInfra.newProjectId(BalancerThroughput.class);
        var target = new OpaSideBySide.Target("resolved context (GET /v1/context)", "GET", "/v1/context", null, "");
        var admin = Bench.as("u_admin", "t_system");
        try (var replicas = new Replicas(image, project, TestInfra.shared().firestoreHost(),
                "{\"dev_jwt_signing_key\": \"" + AuthzDecisionBenchmark.KEY + "\"}",
                Map.of("PLINTH_SHUTDOWN_DRAIN_SECONDS", "1", "PLINTH_LOG_FORMAT", "text"))) {
            System.err.println("balancer: starting three replicas of " + image);
            List<Replicas.Replica> all = replicas.start(3);
            int balancer = replicas.balance();
            var rows = new ArrayList<String>();
            // Each JVM compiles its own hot paths: warm every replica directly, then through the balancer.
            System.err.println("balancer: warming up every replica (" + seconds + " s each, then " + seconds + " s through HAProxy)");
            for (Replicas.Replica r : all) {
                OpaSideBySide.wrk(work, target, "plinth", r.port(), admin, connections, seconds, 0);
            }
            OpaSideBySide.wrk(work, target, "plinth", balancer, admin, connections, seconds, 0);
            var direct = OpaSideBySide.wrk(work, target, "plinth", all.get(0).port(), admin, connections, seconds, 1);
            rows.add(row("one replica, no balancer", direct));
            for (int n = 3; n >= 1; n--) {
                var run = OpaSideBySide.wrk(work, target, "plinth", balancer, admin, connections, seconds, 1);
                rows.add(row("HAProxy, " + n + " replica" + (n == 1 ? "" : "s"), run));
                if (n > 1) {
                    Replicas.Replica last = all.get(n - 1);
                    replicas.stop(last);
                    replicas.awaitOutOfRotation(last);
                }
            }
            System.out.println("| path | conns | throughput | p50 | p99 | p99.9 |\n|---|---:|---:|---:|---:|---:|");
            rows.forEach(r -> System.out.println(r.replace("{c}", Integer.toString(connections))));
        }
    }

    private static String row(String name, OpaSideBySide.Run r) {
        return String.format("| %s | {c} | %,.0f req/s | %.0f µs | %.0f µs | %.0f µs |", name, r.throughput(), r.p50(), r.p99(), r.p999());
    }
}
