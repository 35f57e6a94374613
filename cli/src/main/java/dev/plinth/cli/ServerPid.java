package dev.plinth.cli;

import dev.plinth.core.bootstrap.BootstrapConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The pid of the server {@code plinth run} started on a home ({@code run/server.pid}), so
 * that {@code plinth stop} stops everything it started: a server left running after its
 * Firestore is gone would keep answering from a frozen snapshot.
 */
final class ServerPid {

    /** Its shutdown hook exports Firestore and closes the server; that takes seconds, not minutes. */
    /** Beyond the server's drain and grace periods: closing the control plane and exporting the local data. */
    static final long STOP_MARGIN_SECONDS = 30;

    private ServerPid() {}

    static Path file(BootstrapConfig config) {
        return config.home().resolve("run/server.pid");
    }

    static void record(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, ProcessHandle.current().pid() + "\n");
    }

    /** Removes the file if it still names this process (a newer server may have replaced it). */
    static void forget(Path file) {
        try {
            if (read(file).filter(pid -> pid == ProcessHandle.current().pid()).isPresent()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a stale pid file is checked against the live process before use
        }
    }

    /** Stops the recorded server if it is still a running {@code plinth run}; waits for its shutdown hook. */
    static void stop(Path file, long timeoutSeconds, Consumer<String> log) throws IOException, InterruptedException {
        Optional<Long> pid = read(file);
        Optional<ProcessHandle> server = pid.flatMap(ProcessHandle::of).filter(ServerPid::isPlinthRun);
        if (server.isEmpty()) {
            pid.ifPresent(p -> log.accept("run/server.pid names pid " + p + ", which is no running plinth run; nothing to stop ("
                    + ProcessHandle.of(p).map(h -> String.join(" ", arguments(h))).orElse("no such process") + ")"));
            Files.deleteIfExists(file);
            return;
        }
        log.accept("stopping Plinth (pid " + server.get().pid() + ")");
        server.get().destroy();
        // Not onExit(): a server whose parent (the shell that ran ./plinth run &) does not reap
        // it stays a zombie, "alive" to ProcessHandle, and onExit would wait out the timeout.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!exited(server.get().pid())) {
            if (System.nanoTime() > deadline) {
                throw new IOException("Plinth (pid " + server.get().pid() + ") did not stop within " + timeoutSeconds
                        + " s; the local infrastructure is left running for it");
            }
            try {
                server.get().onExit().get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                // poll /proc again
            }
        }
        Files.deleteIfExists(file);
    }

    /** Whether a process has ended: gone, or a zombie (state Z or X in {@code /proc/<pid>/stat}) that only waits to be reaped. */
    static boolean exited(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
        }
    }

    /** A pid may have been reused since: only a live process running this CLI's run command counts. */
    private static boolean isPlinthRun(ProcessHandle p) {
        List<String> args = arguments(p);
        return p.isAlive() && !exited(p.pid()) && args.contains("run") && args.stream().anyMatch(a -> a.contains("plinth"));
    }

    /**
     * The process's arguments. The JDK leaves {@code Info.arguments()} empty, and cuts
     * {@code commandLine()} short, for a command line as long as a Java class path, so on
     * Linux they are read from {@code /proc/<pid>/cmdline}.
     */
    private static List<String> arguments(ProcessHandle p) {
        try {
            String raw = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "cmdline"));
            return List.of(raw.split("\0"));
        } catch (IOException | RuntimeException e) {
            return p.info().commandLine().map(line -> List.of(line.split("\\s+"))).orElse(List.of());
        }
    }

    private static Optional<Long> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
