package dev.plinth.testing;

import dev.plinth.infra.LocalInfra;
import dev.plinth.infra.bootstrap.InfraTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A redis-server of its own, for tests that stop and restart Redis under a running replica.
 * It keeps its port and its append-only file across restarts.
 */
public final class RestartableRedis implements AutoCloseable {

    private final InfraTools tools;
    private final Path dir;
    private final int port;
    private final String password;
    private Process process;

    public RestartableRedis() throws IOException {
        this(null);
    }

    /** @param password the server's {@code requirepass}, or null for none */
    public RestartableRedis(String password) throws IOException {
        this.password = password;
        this.tools = InfraTools.fromEnvironment();
        this.dir = Files.createTempDirectory("plinth-restartable-redis");
        this.port = LocalInfra.freePort();
        start();
    }

    public int port() {
        return port;
    }

    public synchronized void stop() {
        LocalInfra.terminate(List.of(process.pid()));
    }

    /** Freezes the server (SIGSTOP): connections stay open and commands are accepted, none answered until {@link #resume}. */
    public synchronized void pause() {
        LocalInfra.signalGroup(process.pid(), "STOP");
    }

    public synchronized void resume() {
        LocalInfra.signalGroup(process.pid(), "CONT");
    }

    public synchronized void start() throws IOException {
        process = LocalInfra.startRedis(tools, port, dir, dir.resolve("redis.log"), password);
        LocalInfra.awaitRedis(port, process, dir.resolve("redis.log"));
    }

    @Override
    public synchronized void close() throws IOException {
        resume(); // a frozen process would ignore TERM until killed
        stop();
        LocalInfra.deleteTree(dir);
    }
}
