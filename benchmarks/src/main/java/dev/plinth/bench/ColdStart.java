package dev.plinth.bench;

import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.WriteBatch;
import dev.plinth.api.PlinthServer;
import dev.plinth.datasync.ControlPlaneStore;
import dev.plinth.testing.TestInfra;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Cold start of a replica on a large control plane. Loads {@code tenants} tenants with
 * {@code members} members each (and as many users) into the emulator with batched writes,
 * waits until the emulator has digested the load (its CPU idle), then starts {@code runs}
 * replicas one after another, each in a fresh JVM (nothing warmed, nothing cached), and
 * reports for each the time from JVM start to ready (every listener has delivered its
 * full first result) and the heap after a full GC. Before each replica it measures the
 * emulator's floor ({@link EmulatorFloor}: the same queries to a client that only counts),
 * so the replica's own cost is the difference, whatever the emulator's speed that hour.
 *
 * <p>Then the restarts with a snapshot file (issue 17): one replica writes the file (its
 * size and write time are reported), then {@code runs} restarts from it with Firestore
 * reachable (the streams resume; the emulator resets every resumed target, so this is its
 * full result again) and {@code runs} with Firestore unreachable (an address nothing listens
 * on: the replica serves the file, DEGRADED), each in a fresh JVM with its time to ready and heap.
 *
 * <p>Run: {@code ./plinth bench coldstart [tenants] [members] [runs]} (default 100000 × 10, 3 runs).
 * The replicas get this JVM's options (the {@code plinth} script passes {@code -Xmx4g};
 * {@code PLINTH_JAVA_OPTS=-Xmx2g} shows whether it fits in 2 GiB).
 */
public final class ColdStart {

    private static final String RESULT = "coldstart-result ";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--replica")) {
            replica(args[1], args[2], args[3], args.length > 4 ? Path.of(args[4]) : null);
            return;
        }
        if (args.length > 0 && args[0].equals("--floor")) {
            System.out.printf("%s%.1f%n", RESULT, EmulatorFloor.measure(args[1], args[2]));
            System.exit(0);
        }
        int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int members = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String project = TestInfra.newProjectId(ColdStart.class);
        String host = TestInfra.shared().firestoreHost();
        load(project, tenants, members);
        awaitEmulatorIdle(TestInfra.shared().firestorePort());
        List<Double> ready = new ArrayList<>();
        List<Double> floors = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            // The emulator's own speed drifts by tens of percent within an hour: each replica
            // is measured right after the floor, so the difference is the replica's own cost.
            System.err.printf("run %d/%d: the emulator floor (a client that only counts), in a fresh JVM%n", run, runs);
            double floor = Double.parseDouble(child(List.of("--floor", project, host)));
            floors.add(floor);
            System.err.printf("run %d/%d: a replica, in a fresh JVM%n", run, runs);
            String result = child(List.of("--replica", project, host, "u_" + (tenants - 1) + "_0@t_" + (tenants - 1)));
            String[] f = result.split(" ");
            ready.add(Double.parseDouble(f[0]));
            System.out.printf("tenants %,d, memberships %,d, run %d: emulator floor %.1f s; replica ready %s s after JVM start "
                            + "(%+.1f s over the floor), heap after full GC %s MiB, probe decision %s%n",
                    tenants, (long) tenants * members, run, floor, f[0], Double.parseDouble(f[0]) - floor, f[1], f[2]);
        }
        ready.sort(null);
        floors.sort(null);
        System.out.printf("median ready %.1f s, median emulator floor %.1f s, over %d runs%n",
                ready.get(ready.size() / 2), floors.get(floors.size() / 2), runs);

        Path snapshots = Files.createTempDirectory("plinth-coldstart-snapshot");
        String probe = "u_" + (tenants - 1) + "_0@t_" + (tenants - 1);
        System.err.println("a replica that keeps a snapshot file (written when it stops)");
        String first = child(List.of("--replica", project, host, probe, snapshots.toString()));
        long bytes;
        try (var files = Files.list(snapshots)) {
            bytes = files.filter(f -> f.toString().endsWith(".snapshot")).mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.printf("snapshot file: %,d bytes for %,d documents; written at stop in %s s (replica ready %s s)%n",
                bytes, (long) tenants * (1 + 2L * members), first.split(" ")[3], first.split(" ")[0]);
        String dead = "127.0.0.1:" + dev.plinth.infra.LocalInfra.freePort();
        for (String mode : List.of("reachable", "unreachable")) {
            for (int run = 1; run <= runs; run++) {
                System.err.printf("restart %d/%d with the snapshot file, Firestore %s, in a fresh JVM%n", run, runs, mode);
                String[] f = child(List.of("--replica", project, mode.equals("reachable") ? host : dead, probe, snapshots.toString()))
                        .split(" ");
                System.out.printf("restart with the snapshot file, Firestore %s, run %d: ready %s s after JVM start (served from %s),"
                        + " heap after full GC %s MiB, probe decision %s%n", mode, run, f[0], f[4], f[1], f[2]);
            }
        }
        System.exit(0);
    }

    private static void load(String project, int tenants, int members) throws Exception {
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
        System.err.printf("loaded in %.1f s%n", (System.nanoTime() - load0) / 1e9);
    }

    /**
     * Right after a bulk load the emulator keeps a core busy for a while; a replica started
     * then would be measured against that, not against a control plane at rest.
     */
    private static void awaitEmulatorIdle(int port) throws InterruptedException {
        ProcessHandle emulator = ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains("--port=" + port)).orElse(false))
                .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no emulator JVM on port " + port));
        System.err.println("waiting for the emulator to go idle (CPU below 10% of a core for 3 s)");
        Duration last = cpu(emulator);
        int quiet = 0;
        while (quiet < 3) {
            Thread.sleep(1000);
            Duration now = cpu(emulator);
            quiet = now.minus(last).toMillis() < 100 ? quiet + 1 : 0;
            last = now;
        }
    }

    private static Duration cpu(ProcessHandle p) {
        return p.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Runs this class with {@code args} in a child JVM with this JVM's options; returns its result line. */
    private static String child(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", ManagementFactory.getRuntimeMXBean().getClassPath(), ColdStart.class.getName()));
        cmd.addAll(args);
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        try (var out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(RESULT)) {
                    result = line.substring(RESULT.length());
                } else if (line.contains(" live: ") || line.contains("documents received") || line.contains("snapshot file")) {
                    int info = line.indexOf("INFO: ");
                    System.err.println("    " + (info < 0 ? line : line.substring(info + 6)));
                } else if (line.startsWith("WARNING: ") && !line.contains("sun.misc.Unsafe") && !line.contains("Restricted methods")) {
                    System.err.println("    " + line);
                }
            }
        }
        if (child.waitFor() != 0 || result == null) {
            throw new IllegalStateException("the child JVM " + args + " failed (exit " + child.exitValue() + ")");
        }
        return result;
    }

    /** The child: start, report time since JVM start and heap after a full GC, answer one decision. */
    private static void replica(String project, String host, String probe, Path snapshots) throws Exception {
        long stopping;
        String line;
        try (PlinthServer server = Bench.replica(project, host, snapshots)) {
            double ready = (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            String[] userAt = probe.split("@");
            var answer = Bench.send(server, "GET", "/v1/context", Bench.as(userAt[0], userAt[1]), null);
            String servedFrom = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(Bench.send(server, "GET", "/health/ready", Map.of(), null).body()).path("startup").path("served_from").asText();
            line = String.format("%.1f %d %d", ready, heap / (1024 * 1024), answer.statusCode()) + " %.1f " + servedFrom;
            stopping = System.nanoTime();
        }
        System.out.printf(RESULT + line + "%n", (System.nanoTime() - stopping) / 1e9);
        System.out.flush();
        System.exit(0);
    }
}
