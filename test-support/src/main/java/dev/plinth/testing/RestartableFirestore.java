package dev.plinth.testing;

import dev.plinth.infra.LocalInfra;
import dev.plinth.infra.bootstrap.InfraTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A Firestore emulator of its own, for tests that stop, restart or freeze Firestore under
 * a running replica. It keeps its port across restarts and carries the data of one project
 * over through an HTTP export and an import, as {@code ./plinth run} does.
 */
public final class RestartableFirestore implements AutoCloseable {

    private final InfraTools tools;
    private final Path dir;
    private final int port;
    private final String projectId;
    private Process process;
    private int exports;

    public RestartableFirestore(String projectId) throws IOException {
        this.tools = InfraTools.fromEnvironment();
        this.dir = Files.createTempDirectory("plinth-restartable-firestore");
        this.port = LocalInfra.freePort();
        this.projectId = projectId;
        start();
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    /** Exports the project's data, then stops the emulator (the port stays reserved to us by convention). */
    public synchronized void stop() throws IOException {
        String name = "export-" + (++exports);
        LocalInfra.exportProject(port, projectId, dir, name);
        LocalInfra.terminate(List.of(process.pid()));
    }

    /** Starts the emulator on the same port, importing the last export if there is one. */
    public synchronized void start() throws IOException {
        Optional<Path> metadata = exports == 0 ? Optional.empty()
                : Optional.of(dir.resolve("export-" + exports).resolve("export-" + exports + ".overall_export_metadata"));
        process = LocalInfra.startFirestore(tools, port, metadata, dir.resolve("firestore.log"));
        LocalInfra.awaitFirestore(port, process, dir.resolve("firestore.log"));
    }

    /**
     * Freezes the emulator (SIGSTOP to its process group): connections stay open and
     * requests are accepted, but nothing answers until {@link #resume} — a Firestore that is
     * slow to serve, deterministically.
     */
    public synchronized void pause() {
        LocalInfra.signalGroup(process.pid(), "STOP");
    }

    public synchronized void resume() {
        LocalInfra.signalGroup(process.pid(), "CONT");
    }

    @Override
    public synchronized void close() throws IOException {
        resume(); // a frozen process would ignore TERM until killed
        LocalInfra.terminate(List.of(process.pid()));
        LocalInfra.deleteTree(dir);
    }
}
