package dev.plinth.bench;

import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.WriteBatch;
import dev.plinth.api.PlinthServer;
import dev.plinth.datasync.ControlPlaneStore;
import dev.plinth.infra.TestInfra;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Cold start of a replica on a large control plane: loads {@code tenants} tenants with
 * {@code members} members each (and as many users) into the emulator with batched writes,
 * then starts a replica and reports the time until it is ready (every listener has
 * delivered its full first snapshot) and the heap after a full GC.
 *
 * <p>Run: {@code ./plinth bench coldstart [tenants] [members]} (default 100000 × 10).
 */
public final class ColdStart {

    public static void main(String[] args) throws Exception {
        int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int members = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String project = TestInfra.newProjectId(ColdStart.class);
        long docs = (long) tenants * (1 + 2L * members);
        System.err.printf("loading %,d tenants x %,d members (%,d documents) into project %s%n", tenants, members, docs, project);
        long load0 = System.nanoTime();
        try (Firestore db = ControlPlaneStore.connect(project, TestInfra.shared().firestoreHost())) {
            List<Future<?>> inFlight = new ArrayList<>();
            WriteBatch batch = db.batch();
            int inBatch = 0;
            long written = 0;
            for (int t = 0; t < tenants; t++) {
                String tenant = "t_" + t;
                batch.set(db.document("tenants/" + tenant), Map.of("status", "active", "allowed_envs", List.of("dev")));
                inBatch++;
                for (int m = 0; m < members; m++) {
                    String user = "u_" + t + "_" + m;
                    batch.set(db.document("users/" + user), Map.of("status", "active", "identities",
                            List.of(Map.of("issuer", AuthzDecisionBenchmark.ISSUER, "subject", user))));
                    batch.set(db.document("tenants/" + tenant + "/members/" + user),
                            Map.of("roles", List.of("member"), "status", "active", "tenant_id", tenant, "user_id", user));
                    inBatch += 2;
                }
                if (inBatch >= 480) {
                    inFlight.add(batch.commit());
                    written += inBatch;
                    batch = db.batch();
                    inBatch = 0;
                    if (inFlight.size() >= 8) {
                        for (Future<?> f : inFlight) {
                            f.get();
                        }
                        inFlight.clear();
                    }
                    if (written % 100_000 < 480) {
                        System.err.printf("  %,d / %,d documents (%.0f s)%n", written, docs, (System.nanoTime() - load0) / 1e9);
                    }
                }
            }
            if (inBatch > 0) {
                inFlight.add(batch.commit());
            }
            for (Future<?> f : inFlight) {
                f.get();
            }
        }
        System.err.printf("loaded in %.1f s; starting a replica%n", (System.nanoTime() - load0) / 1e9);
        long t0 = System.nanoTime();
        try (PlinthServer server = Bench.replica(project)) {
            double ready = (System.nanoTime() - t0) / 1e9;
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            var probe = Bench.send(server, "GET", "/v1/context", Bench.as("u_" + (tenants - 1) + "_0", "t_" + (tenants - 1)), null);
            System.out.printf("tenants %,d, memberships %,d: ready in %.1f s, heap after full GC %,d MiB, probe decision %d%n",
                    tenants, (long) tenants * members, ready, heap / (1024 * 1024), probe.statusCode());
        }
        System.exit(0);
    }
}
