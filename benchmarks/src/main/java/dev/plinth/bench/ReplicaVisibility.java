package dev.plinth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.TestInfra;
import java.util.HashMap;

/**
 * Write → decision visible on a second replica. Replica A grants a membership through the
 * admin API; replica B is asked for the new member's context carrying A's revision token,
 * which returns as soon as B's members listener has applied the write. Reports the write
 * (acknowledged commit), the visibility after the acknowledgement, and the sum.
 *
 * <p>Run: {@code ./plinth bench visibility [writes]} (default 200).
 */
public final class ReplicaVisibility {

    public static void main(String[] args) throws Exception {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        var json = new ObjectMapper();
        String project = TestInfra.newProjectId(ReplicaVisibility.class);
        System.err.println("starting two replicas on the emulator (project " + project + ")");
        try (var a = Bench.replica(project); var b = Bench.replica(project)) {
            var admin = Bench.as("u_admin", "t_system");
            Bench.send(a, "POST", "/v1/admin/tenants", admin, "{\"id\": \"t_bench\", \"allowed_envs\": [\"dev\"]}");
            for (int i = 0; i < writes; i++) {
                Bench.send(a, "POST", "/v1/admin/users", admin, "{\"id\": \"u_v" + i + "\", \"identities\": [{\"issuer\": \""
                        + AuthzDecisionBenchmark.ISSUER + "\", \"subject\": \"u_v" + i + "\"}]}");
            }
            long[] ack = new long[writes];
            long[] visible = new long[writes];
            long[] total = new long[writes];
            for (int i = 0; i < writes; i++) {
                var headers = new HashMap<>(Bench.as("u_v" + i, "t_bench"));
                long t0 = System.nanoTime();
                var w = Bench.send(a, "POST", "/v1/admin/tenants/t_bench/members", admin, "{\"id\": \"u_v" + i + "\", \"roles\": [\"member\"]}");
                long t1 = System.nanoTime();
                if (w.statusCode() != 201) {
                    throw new IllegalStateException("write failed: " + w.body());
                }
                headers.put("X-Min-Revision", json.readTree(w.body()).path("revision").asText());
                var r = Bench.send(b, "GET", "/v1/context", headers, null);
                long t2 = System.nanoTime();
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("replica B did not decide on write " + i + ": " + r.body());
                }
                ack[i] = t1 - t0;
                visible[i] = t2 - t1;
                total[i] = t2 - t0;
                if ((i + 1) % 50 == 0) {
                    System.err.println("  " + (i + 1) + "/" + writes + " writes");
                }
            }
            System.out.println("write acknowledged (A):          " + Bench.percentiles(ack));
            System.out.println("ack -> decision on B:            " + Bench.percentiles(visible));
            System.out.println("write sent -> decision on B:     " + Bench.percentiles(total));
        }
        System.exit(0);
    }
}
