package dev.plinth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.api.PlinthServer;
import dev.plinth.engine.api.Bundle;
import dev.plinth.testing.TestInfra;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Bundle upload → active on two replicas: each round uploads the built-in bundle under a new
 * revision through replica A, activates it, and measures until both replicas report it.
 *
 * <p>Run: {@code ./plinth bench activation [rounds]} (default 20).
 */
public final class BundleActivation {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        var json = new ObjectMapper();
        String project = TestInfra.newProjectId(BundleActivation.class);
        try (var a = Bench.replica(project); var b = Bench.replica(project)) {
            var admin = Bench.as("u_admin", "t_system");
            long[] upload = new long[rounds];
            long[] activeOnBoth = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                byte[] bundle = withRevision("bench-" + i);
                // What the replicas report: the manifest's revision and the bundle's digest, computed as the server does.
                String revision = Bundle.read(new ByteArrayInputStream(bundle)).revision();
                long t0 = System.nanoTime();
                var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + "/v1/policies/bundles/bench-" + i))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(bundle)).header("Content-Type", "application/gzip");
                admin.forEach(request::header);
                var up = Bench.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (up.statusCode() != 201) {
                    throw new IllegalStateException("upload failed: " + up.body());
                }
                long t1 = System.nanoTime();
                var activated = Bench.send(a, "POST", "/v1/policies/active", admin, "{\"name\": \"bench-" + i + "\"}");
                if (activated.statusCode() != 200) {
                    throw new IllegalStateException("activation failed: " + activated.body());
                }
                long giveUp = System.nanoTime() + 60_000_000_000L;
                for (PlinthServer replica : new PlinthServer[] {a, b}) {
                    String health;
                    while (!json.readTree(health = Bench.send(replica, "GET", "/health/ready", Map.of(), null).body())
                            .path("bundle_revision").asText().equals(revision)) {
                        if (System.nanoTime() > giveUp) {
                            throw new IllegalStateException("a replica did not serve " + revision + " within 60 s: " + health);
                        }
                        Thread.sleep(2);
                    }
                }
                long t2 = System.nanoTime();
                upload[i] = t1 - t0;
                activeOnBoth[i] = t2 - t1;
                System.err.println("  round " + (i + 1) + "/" + rounds);
            }
            System.out.println("upload (validated, stored):          " + Bench.percentiles(upload));
            System.out.println("activate -> active on both replicas: " + Bench.percentiles(activeOnBoth));
        }
        System.exit(0);
    }

    private static byte[] withRevision(String revision) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (InputStream in = Bundle.class.getClassLoader().getResourceAsStream(Bundle.BUILTIN_RESOURCE);
             var tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile()) {
                    files.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(files.get("/.manifest"));
        manifest.put("revision", revision);
        files.put("/.manifest", manifest.toString().getBytes(StandardCharsets.UTF_8));
        var out = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            for (var f : files.entrySet()) {
                var entry = new TarArchiveEntry(f.getKey(), true);
                entry.setSize(f.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }
}
