package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.Replicas;
import dev.plinth.testing.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Three replicas of the image (podman, host networking) on the local emulator behind HAProxy
 * health-checking {@code /health/ready}: every replica becomes ready; a write and a read
 * carrying its {@code X-Min-Revision} agree whichever replica answers; a replica stopped under
 * load loses no acknowledged write and leaves the rotation before it stops serving; a
 * rolling restart answers every request. Run by {@code ./plinth replicas} (it builds the
 * image first); it takes ~2 minutes, beyond what the suite can spend, so it is not part of
 * {@code ./plinth test}.
 */
@EnabledIfSystemProperty(named = "plinth.image", matches = ".+")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasBehindBalancerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static Replicas replicas;
    private static int balancer;

    @BeforeAll
    static void start() throws Exception {
        String project = TestInfra.newProjectId(ReplicasBehindBalancerTest.class);
        replicas = new Replicas(System.getProperty("plinth.image"), project, TestInfra.shared().firestoreHost(),
                "{\"dev_jwt_signing_key\": \"" + TestPlinth.KEY + "\"}",
                Map.of("PLINTH_SHUTDOWN_DRAIN_SECONDS", "2", "PLINTH_SHUTDOWN_GRACE_SECONDS", "10", "PLINTH_LOG_FORMAT", "text"));
        replicas.start(3);
        balancer = replicas.balance();
    }

    @AfterAll
    static void stop() throws Exception {
        if (replicas != null) {
            replicas.close();
        }
    }

    @Test
    @Order(0)
    void theImageRunsAsANonRootUserWithoutBuildTools() throws Exception {
        String image = System.getProperty("plinth.image");
        assertThat(Replicas.podman("image", "inspect", "--format", "{{.Config.User}}", image).strip()).isEqualTo("10001:10001");
        String found = Replicas.podman("run", "--rm", "--entrypoint", "/bin/sh", image, "-c",
                "id -u; for t in javac jlink gcc cc make mvn gradle go apt-get pip curl wget; do command -v $t; done; true");
        assertThat(found.strip()).as("uid, then any build tool found").isEqualTo("10001");
        assertThat(Replicas.podman("image", "inspect", "--format", "{{.Config.Env}}", image))
                .contains("PLINTH_LOCAL_INFRA=false").doesNotContain("EMULATOR");
    }

    @Test
    @Order(1)
    void everyReplicaIsReadyAndServes() throws Exception {
        var servedBy = new java.util.TreeSet<String>();
        for (int i = 0; i < 30; i++) {
            var r = send("GET", "/health/ready", Map.of(), null);
            assertThat(r.statusCode()).isEqualTo(200);
            servedBy.add(r.headers().firstValue("X-Served-By").orElseThrow());
        }
        assertThat(servedBy).containsExactly("r1", "r2", "r3");
    }

    @Test
    @Order(2)
    void aWriteAndAReadWithItsRevisionAgreeOnWhicheverReplicaAnswers() throws Exception {
        var servedBy = new java.util.TreeSet<String>();
        for (int t = 0; t < 6; t++) {
            String tenant = "t_lb" + t;
            assertThat(send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"" + tenant + "\", \"allowed_envs\": [\"dev\"]}")
                    .statusCode()).isEqualTo(201);
            var member = send("POST", "/v1/admin/tenants/" + tenant + "/members", admin(), "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}");
            String revision = TestPlinth.revisionOf(member);
            // Each read lands on the next replica, often not the one that took the write.
            for (int i = 0; i < 3; i++) {
                var read = send("GET", "/v1/context", TestPlinth.with(as("u_admin", tenant, "dev"), "X-Min-Revision", revision), null);
                assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
                assertThat(JSON.readTree(read.body()).path("tenant_id").asText()).isEqualTo(tenant);
                servedBy.add(read.headers().firstValue("X-Served-By").orElseThrow());
            }
        }
        assertThat(servedBy).containsExactly("r1", "r2", "r3");
    }

    @Test
    @Order(3)
    void aReplicaStoppedUnderLoadLosesNoAcknowledgedWriteAndLeavesTheRotation() throws Exception {
        var acme = member("t_lbload");
        try (var load = new Load(acme, 4)) {
            load.awaitAcknowledged(50);
            Replicas.Replica r2 = replicas.all().get(1);
            replicas.stop(r2);
            load.markStopped();
            assertThat(replicas.serverStatus(r2)).as("HAProxy took it out").startsWith("DOWN");
            // Out of rotation while it still served (its readiness said "stopping"), not when its port closed.
            assertThat(java.nio.file.Files.readString(replicas.balancerLog()))
                    .contains("Server replicas/r2 is DOWN, reason: Layer7 wrong status, code: 503");
            int before = load.acknowledged.size();
            load.awaitAcknowledged(before + 50);
            load.stop();
            assertThat(load.failures).as("every request answered during the stop").isEmpty();
            assertThat(load.servedAfterStop("r2")).as("nothing sent to the stopped replica").isZero();
        }
        assertEveryAcknowledgedWriteReadsBack(acme);
        System.out.println("[replicas] stop under load: " + Load.lastAcknowledged.size() + " writes acknowledged, every one read back");
        replicas.restart(replicas.all().get(1));
        replicas.awaitInRotation(replicas.all().get(1));
    }

    @Test
    @Order(4)
    void aRollingRestartAnswersEveryRequest() throws Exception {
        var acme = member("t_lbroll");
        try (var load = new Load(acme, 4)) {
            load.awaitAcknowledged(20);
            for (Replicas.Replica r : replicas.all()) {
                replicas.stop(r);
                replicas.restart(r);
                // Readiness-gated: the next replica stops only once the balancer sends to this one again.
                replicas.awaitInRotation(r);
            }
            int before = load.acknowledged.size();
            load.awaitAcknowledged(before + 20);
            load.stop();
            assertThat(load.failures).as("every request answered during the rolling restart").isEmpty();
            assertThat(load.acknowledged.size()).isGreaterThan(100);
        }
        assertEveryAcknowledgedWriteReadsBack(acme);
        System.out.println("[replicas] rolling restart: " + Load.lastAcknowledged.size() + " writes acknowledged and read back, "
                + "every request answered");
    }

    /** Every write the last load saw acknowledged reads back through the balancer (any replica). */
    private static void assertEveryAcknowledgedWriteReadsBack(Map<String, String> headers) throws Exception {
        for (String key : Load.lastAcknowledged) {
            var read = send("GET", "/v1/resources/feature_flags/" + key, headers, null);
            assertThat(read.statusCode()).as(key + ": " + read.body()).isEqualTo(200);
        }
    }

    /** A tenant with u_admin as owner; headers carrying the revision of that write. */
    private static Map<String, String> member(String tenant) throws Exception {
        send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"" + tenant + "\", \"allowed_envs\": [\"dev\"]}");
        String revision = TestPlinth.revisionOf(send("POST", "/v1/admin/tenants/" + tenant + "/members", admin(),
                "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}"));
        return TestPlinth.with(as("u_admin", tenant, "dev"), "X-Min-Revision", revision);
    }

    /**
     * Writers putting distinct keys through the balancer, and reading the context between
     * writes. A write counts as acknowledged only on a 2xx; anything else (a 5xx, a reset
     * connection) is a failure.
     */
    private static final class Load implements AutoCloseable {
        static volatile List<String> lastAcknowledged = List.of();
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String[]> served = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger sequence = new AtomicInteger();
        final List<Thread> threads = new ArrayList<>();
        volatile long stoppedReplicaAt = Long.MAX_VALUE;

        Load(Map<String, String> headers, int writers) {
            for (int w = 0; w < writers; w++) {
                threads.add(Thread.ofPlatform().name("lb-writer-" + w).start(() -> {
                    while (running.get()) {
                        String key = "k" + sequence.incrementAndGet();
                        try {
                            var put = send("PUT", "/v1/resources/feature_flags/" + key, headers, "{\"enabled\": true}");
                            served.add(new String[] {put.headers().firstValue("X-Served-By").orElse("?"), Long.toString(System.nanoTime())});
                            if (put.statusCode() / 100 == 2) {
                                acknowledged.add(key);
                            } else {
                                failures.add(key + ": " + put.statusCode() + " " + put.body());
                            }
                            var read = send("GET", "/v1/context", headers, null);
                            if (read.statusCode() != 200) {
                                failures.add("context: " + read.statusCode() + " " + read.body());
                            }
                        } catch (Exception e) {
                            failures.add(key + ": " + e);
                        }
                    }
                }));
            }
        }

        void awaitAcknowledged(int n) {
            Awaitility.await(n + " acknowledged writes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> acknowledged.size() >= n || !failures.isEmpty());
        }

        /** The replica's container has exited: nothing may be answered by it after this. */
        void markStopped() {
            stoppedReplicaAt = System.nanoTime();
        }

        long servedAfterStop(String replica) {
            return served.stream().filter(s -> s[0].equals(replica) && Long.parseLong(s[1]) > stoppedReplicaAt).count();
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            lastAcknowledged = List.copyOf(acknowledged);
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    private static HttpResponse<String> send(String method, String path, Map<String, String> headers, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + balancer + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
