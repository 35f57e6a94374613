package dev.plinth.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.infra.bootstrap.InfraTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The local Firestore emulator and redis-server of one data folder.
 *
 * <p>Design note. The processes are started in their own sessions ({@code setsid}) so that
 * Ctrl-C on {@code ./plinth run} does not reach them: a restart of Plinth finds them, and
 * its data, where it left them. Their ports and pids are kept in {@code run/infra.json};
 * a later start reuses them when both still answer. The emulator's export-on-exit does
 * not work, so Firestore is exported over its HTTP API ({@link #exportFirestore}) on
 * stop and periodically by the service, and the newest export is imported on start.
 * Redis keeps an append-only file fsynced on every write.
 */
public final class LocalInfra {

    /** Where the two servers answer. */
    public record Endpoints(int firestorePort, int redisPort) {
        public String firestoreHost() {
            return "127.0.0.1:" + firestorePort;
        }

        public String redisUri() {
            return "redis://127.0.0.1:" + redisPort;
        }
    }

    private record State(int firestorePort, long firestorePid, int redisPort, long redisPid) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path home;
    private final String projectId;
    private final State state;
    private final Consumer<String> log;

    private LocalInfra(Path home, String projectId, State state, Consumer<String> log) {
        this.home = home;
        this.projectId = projectId;
        this.state = state;
        this.log = log;
    }

    /**
     * Finds the running servers of {@code home} or starts them, importing the newest
     * Firestore export. The servers outlive this JVM.
     *
     * @param projectId the Firestore project whose data is exported and imported
     */
    public static LocalInfra persistent(Path home, String projectId, InfraTools tools, Consumer<String> log)
            throws IOException {
        return persistent(home, projectId, tools, log, null);
    }

    /** @param redisPassword the local redis-server's {@code requirepass} (from the dev secrets file), or null for none */
    public static LocalInfra persistent(Path home, String projectId, InfraTools tools, Consumer<String> log, String redisPassword)
            throws IOException {
        try (var held = lock(home, log)) {
            return findOrStart(home, projectId, tools, log, redisPassword);
        }
    }

    /** A folder of local data only its owner may read: exports, the AOF and logs hold tenants' data. */
    private static Path privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /**
     * Takes {@code run/infra.lock} and answers its channel; closing the channel releases it.
     * One process at a time finds, starts or stops the servers of {@code home}. Without it,
     * two {@code ./plinth} commands started together each started an emulator and a
     * redis-server, the second pair on the same AOF directory, and one pair ended up running
     * unrecorded.
     */
    private static java.nio.channels.FileChannel lock(Path home, Consumer<String> log) throws IOException {
        Files.createDirectories(home.resolve("run"));
        var channel = java.nio.channels.FileChannel.open(home.resolve("run/infra.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() == null) {
                log.accept("another plinth process is starting or stopping the local infrastructure; waiting for it");
                channel.lock();
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static LocalInfra findOrStart(Path home, String projectId, InfraTools tools, Consumer<String> log, String redisPassword)
            throws IOException {
        privateDirectory(home);
        Optional<State> running = readState(home).filter(LocalInfra::answers);
        if (running.isPresent()) {
            log.accept("local infrastructure already running: Firestore emulator on 127.0.0.1:"
                    + running.get().firestorePort() + ", redis on 127.0.0.1:" + running.get().redisPort());
            return new LocalInfra(home, projectId, running.get(), log);
        }
        readState(home).ifPresent(stale -> terminate(stale, log)); // half-dead leftovers
        Path redisDir = privateDirectory(home.resolve("redis"));
        Path logs = privateDirectory(home.resolve("logs"));
        privateDirectory(home.resolve("firestore"));
        Optional<Path> latest = latestExport(home);
        int redisPort = freePort();
        log.accept("starting redis-server on 127.0.0.1:" + redisPort + " (AOF in " + redisDir + ")");
        Process redis = startRedis(tools, redisPort, redisDir, logs.resolve("redis.log"), redisPassword);
        State state;
        try {
            awaitRedis(redisPort, redis, logs.resolve("redis.log"));
            log.accept("starting Firestore emulator"
                    + latest.map(p -> " (importing " + home.relativize(p) + ")").orElse(" (no export to import yet)"));
            Started fs = startFirestoreOnFreePort(tools, latest, logs.resolve("firestore.log"), log);
            state = new State(fs.port(), fs.process().pid(), redisPort, redis.pid());
        } catch (IOException | RuntimeException e) {
            terminate(List.of(redis.pid()));
            throw e;
        }
        writeState(home, state);
        log.accept("local infrastructure ready");
        return new LocalInfra(home, projectId, state, log);
    }

    /** Stops the servers of {@code home} if they run, exporting Firestore first. */
    public static boolean stopIfRunning(Path home, String projectId, Consumer<String> log) throws IOException {
        try (var held = lock(home, log)) {
            Optional<State> state = readState(home);
            if (state.isEmpty()) {
                log.accept("no local infrastructure recorded under " + home);
                return false;
            }
            var infra = new LocalInfra(home, projectId, state.get(), log);
            infra.stop();
            return true;
        }
    }

    public Endpoints endpoints() {
        return new Endpoints(state.firestorePort(), state.redisPort());
    }

    /**
     * Exports the project's Firestore data over the emulator's HTTP API and makes it the
     * one imported on the next start. Older exports beyond the previous one are removed.
     */
    public synchronized Path exportFirestore() throws IOException {
        Path exports = Files.createDirectories(home.resolve("firestore/exports"));
        String name = "export-" + System.currentTimeMillis();
        exportProject(state.firestorePort(), projectId, exports, name);
        Path metadata = exports.resolve(name).resolve(name + ".overall_export_metadata");
        if (!Files.exists(metadata)) {
            throw new IOException("the emulator reported an export but wrote no " + metadata);
        }
        Path tmp = home.resolve("firestore/LATEST.tmp");
        Files.writeString(tmp, name);
        Files.move(tmp, home.resolve("firestore/LATEST"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        pruneExports(exports, name);
        return metadata;
    }

    /** Exports Firestore, then stops both servers and forgets them. */
    public void stop() throws IOException {
        if (answers(state)) {
            Path export = exportFirestore();
            log.accept("exported Firestore to " + home.relativize(export.getParent()));
        } else {
            log.accept("Firestore emulator does not answer; nothing exported");
        }
        terminate(state, log);
        Files.deleteIfExists(home.resolve("run/infra.json"));
    }

    // --- process management: public, since the test harness (test-support's TestInfra) starts servers with it ---

    public static Process startFirestore(InfraTools tools, int port, Optional<Path> importMetadata, Path logFile)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setsid", tools.firestoreEmulator().toString(), "start",
                "--host=127.0.0.1", "--port=" + port));
        importMetadata.ifPresent(p -> cmd.add("--import-data=" + p));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    public static Process startRedis(InfraTools tools, int port, Path dir, Path logFile) throws IOException {
        return startRedis(tools, port, dir, logFile, null);
    }

    /** @param password a {@code requirepass} for the server, or null */
    public static Process startRedis(InfraTools tools, int port, Path dir, Path logFile, String password) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setsid", tools.redisServer().toString(),
                "--bind", "127.0.0.1", "--port", String.valueOf(port), "--dir", dir.toString(),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                "--protected-mode", "yes", "--daemonize", "no"));
        if (password != null) {
            cmd.addAll(List.of("--requirepass", password));
        }
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    /** A server process and the port it answers on. */
    public record Started(Process process, int port) {}

    private static final int FIRESTORE_START_ATTEMPTS = 3;

    /**
     * Starts the emulator on a free port and waits until it answers. Redis must already be
     * listening: besides {@code --port} the emulator binds three more ports it picks itself,
     * and one of them may be a port we chose for another server but had not bound yet (seen
     * once in CI: the emulator exited with 1). An emulator that exits while starting is
     * started again on a fresh port, a bounded number of times, each time saying why.
     */
    public static Started startFirestoreOnFreePort(InfraTools tools, Optional<Path> importMetadata, Path logFile,
                                            Consumer<String> log) throws IOException {
        return startFirestoreOnFreePort(tools, importMetadata, logFile, log, process -> { });
    }

    /** @param started told of each emulator process as soon as it is spawned (to guard it against orphaning) */
    public static Started startFirestoreOnFreePort(InfraTools tools, Optional<Path> importMetadata, Path logFile,
                                            Consumer<String> log, Consumer<Process> started) throws IOException {
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            Process process = startFirestore(tools, port, importMetadata, logFile);
            started.accept(process);
            try {
                awaitFirestore(port, process, logFile);
                log.accept("Firestore emulator answers on 127.0.0.1:" + port);
                return new Started(process, port);
            } catch (EmulatorExited e) {
                if (attempt == FIRESTORE_START_ATTEMPTS) {
                    throw e;
                }
                log.accept(e.getMessage() + "; starting it again on another port (attempt " + (attempt + 1)
                        + " of " + FIRESTORE_START_ATTEMPTS + ")");
            } catch (IOException | RuntimeException e) {
                terminate(List.of(process.pid()));
                throw e;
            }
        }
    }

    /** The emulator process ended before it answered; the message carries its log's last lines. */
    public static final class EmulatorExited extends IOException {
        EmulatorExited(String message) {
            super(message);
        }
    }

    public static void awaitFirestore(int port, Process process, Path logFile) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new EmulatorExited("Firestore emulator on 127.0.0.1:" + port + " exited with "
                        + process.exitValue() + "; " + logFile + " ends with:\n" + tail(logFile, 15));
            }
            if (firestoreAnswers(port)) {
                return;
            }
            pause();
        }
        throw new IOException("Firestore emulator did not answer on 127.0.0.1:" + port + " within "
                + START_TIMEOUT.toSeconds() + " s; see " + logFile);
    }

    /** The last lines of a server's log, for an error message read where the file is not (CI). */
    static String tail(Path logFile, int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }

    public static void awaitRedis(int port, Process process, Path logFile) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server on 127.0.0.1:" + port + " exited with " + process.exitValue()
                        + "; " + logFile + " ends with:\n" + tail(logFile, 15));
            }
            if (redisAnswers(port)) {
                return;
            }
            pause();
        }
        throw new IOException("redis-server did not answer PING on 127.0.0.1:" + port + "; see " + logFile);
    }

    public static boolean firestoreAnswers(int port) {
        try {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().startsWith("Ok");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static boolean redisAnswers(int port) {
        // A password-protected server answers PING with -NOAUTH: it is up all the same.
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout(1_000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[7];
            InputStream in = socket.getInputStream();
            int n = in.readNBytes(buf, 0, 7);
            String reply = new String(buf, 0, n, StandardCharsets.US_ASCII);
            return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    public static void exportProject(int port, String projectId, Path directory, String name) throws IOException {
        ObjectNode body = JSON.createObjectNode()
                .put("database", "projects/" + projectId + "/databases/(default)")
                .put("export_directory", directory.toAbsolutePath().toString())
                .put("export_name", name);
        try {
            var response = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/emulator/v1/projects/" + projectId + ":export"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("Firestore export failed with HTTP " + response.statusCode() + ": " + response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during Firestore export", e);
        }
    }

    /** SIGTERM to each process group, then SIGKILL after ten seconds. */
    public static void terminate(List<Long> groupLeaders) {
        for (long pid : groupLeaders) {
            signalGroup(pid, "TERM");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (long pid : groupLeaders) {
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            while (handle.isPresent() && handle.get().isAlive() && System.nanoTime() < deadline) {
                pause();
            }
            if (handle.isPresent() && handle.get().isAlive()) {
                signalGroup(pid, "KILL");
            }
        }
    }

    private static void terminate(State state, Consumer<String> log) {
        log.accept("stopping Firestore emulator (pid " + state.firestorePid() + ") and redis-server (pid "
                + state.redisPid() + ")");
        terminate(List.of(state.firestorePid(), state.redisPid()));
    }

    public static void signalGroup(long pid, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, "--", "-" + pid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for local infrastructure", e);
        }
    }

    private static boolean answers(State state) {
        return firestoreAnswers(state.firestorePort()) && redisAnswers(state.redisPort());
    }

    private static Optional<State> readState(Path home) throws IOException {
        Path file = home.resolve("run/infra.json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), State.class));
    }

    private static void writeState(Path home, State state) throws IOException {
        Path tmp = home.resolve("run/infra.json.tmp");
        JSON.writeValue(tmp.toFile(), state);
        Files.move(tmp, home.resolve("run/infra.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Optional<Path> latestExport(Path home) throws IOException {
        Path pointer = home.resolve("firestore/LATEST");
        if (!Files.exists(pointer)) {
            return Optional.empty();
        }
        String name = Files.readString(pointer).trim();
        Path metadata = home.resolve("firestore/exports").resolve(name).resolve(name + ".overall_export_metadata");
        if (!Files.exists(metadata)) {
            throw new IOException(pointer + " names export " + name + " but " + metadata + " is missing");
        }
        return Optional.of(metadata);
    }

    private static void pruneExports(Path exports, String keepNewest) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.list(exports)) {
            all = s.filter(Files::isDirectory).sorted(Comparator.comparing(Path::getFileName).reversed()).toList();
        }
        // Keep the new export and the one before it, in case the new one is damaged.
        int kept = 0;
        for (Path p : all) {
            if (p.getFileName().toString().equals(keepNewest) || kept < 2) {
                kept++;
                continue;
            }
            deleteTree(p);
        }
    }

    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
