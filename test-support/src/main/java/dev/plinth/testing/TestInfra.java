package dev.plinth.testing;

import dev.plinth.infra.LocalInfra;
import dev.plinth.infra.bootstrap.InfraTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test harness's Firestore emulator and redis-server: started once per test JVM on
 * free loopback ports, with throwaway data, and stopped when the JVM exits — by a shutdown
 * hook, and by a watchdog process if the JVM is killed, so no server is orphaned. Each
 * test class isolates itself with {@link #newProjectId}.
 */
public final class TestInfra {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile LocalInfra.Endpoints shared;

    private TestInfra() {}

    /** The JVM's shared servers, started on first use. */
    public static synchronized LocalInfra.Endpoints shared() {
        if (shared == null) {
            try {
                shared = start(InfraTools.fromEnvironment());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test infrastructure", e);
            }
        }
        return shared;
    }

    /** A Firestore project id no other test class uses, so each class starts empty. */
    public static String newProjectId(Class<?> testClass) {
        String name = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (name.length() > 16) {
            name = name.substring(0, 16);
        }
        return "test-" + name + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    }

    private static LocalInfra.Endpoints start(InfraTools tools) throws IOException {
        Path dir = Files.createTempDirectory("plinth-test-infra");
        Files.createDirectories(dir.resolve("redis"));
        int redisPort = LocalInfra.freePort();
        Process redis = LocalInfra.startRedis(tools, redisPort, dir.resolve("redis"), dir.resolve("redis.log"));
        List<Long> groups = new CopyOnWriteArrayList<>(List.of(redis.pid()));
        startWatchdog(groups);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LocalInfra.terminate(groups);
            try {
                LocalInfra.deleteTree(dir);
            } catch (IOException ignored) {
                // a temp folder left behind is harmless
            }
        }, "plinth-test-infra-stop"));
        LocalInfra.awaitRedis(redisPort, redis, dir.resolve("redis.log"));
        var fs = LocalInfra.startFirestoreOnFreePort(tools, Optional.empty(), dir.resolve("firestore.log"),
                line -> System.err.println("test infrastructure: " + line),
                process -> {
                    groups.add(process.pid());
                    watch(List.of(process.pid()));
                });
        return new LocalInfra.Endpoints(fs.port(), redisPort);
    }

    /** Kills the servers' process groups within a second of this JVM's death, however it dies. */
    private static void watch(List<Long> groups) {
        try {
            startWatchdog(groups);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the watchdog that stops the test servers", e);
        }
    }

    private static void startWatchdog(List<Long> groups) throws IOException {
        StringBuilder kill = new StringBuilder("kill -TERM --");
        groups.forEach(g -> kill.append(" -").append(g));
        String script = "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null; do sleep 1; done; " + kill;
        new ProcessBuilder("setsid", "bash", "-c", script)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
