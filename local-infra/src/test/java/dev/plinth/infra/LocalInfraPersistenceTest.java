package dev.plinth.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plinth.infra.bootstrap.InfraTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole local stack stopped and started again keeps what was acknowledged: Firestore
 * through the HTTP export/import, Redis through its append-only file.
 */
class LocalInfraPersistenceTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String PROJECT = "plinth-persistence-test";

    @TempDir
    Path home;

    private final List<String> log = new ArrayList<>();
    private LocalInfra infra;

    @AfterEach
    void stop() throws IOException {
        LocalInfra.stopIfRunning(home, PROJECT, log::add);
    }

    /** The local Redis answers no one without its password, and the data folders are the owner's alone. */
    @Test
    void theLocalRedisNeedsItsPasswordAndTheDataIsPrivate() throws Exception {
        infra = LocalInfra.persistent(home, PROJECT, InfraTools.fromEnvironment(), log::add, "local-pw-0123456789");
        int port = infra.endpoints().redisPort();
        assertThat(redis(port, "GET", "anything")).startsWith("-NOAUTH");
        assertThat(redis(port, "AUTH", "wrong")).startsWith("-WRONGPASS");
        for (String dir : new String[] {"", "redis", "logs", "firestore"}) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(dir))))
                    .as(dir).isEqualTo("rwx------");
        }
    }

    @Test
    void stopAndStartKeepsFirestoreDocumentsAndRedisKeys() throws Exception {
        infra = LocalInfra.persistent(home, PROJECT, InfraTools.fromEnvironment(), log::add);
        var first = infra.endpoints();
        writeDocument(first.firestorePort(), "tenants", "t_kept", "{\"fields\":{\"status\":{\"stringValue\":\"active\"}}}");
        assertThat(redis(first.redisPort(), "SET", "kept", "yes")).isEqualTo("+OK");

        infra.stop();
        assertThat(LocalInfra.firestoreAnswers(first.firestorePort())).isFalse();
        assertThat(Files.readString(home.resolve("firestore/LATEST"))).startsWith("export-");

        infra = LocalInfra.persistent(home, PROJECT, InfraTools.fromEnvironment(), log::add);
        var second = infra.endpoints();
        assertThat(readDocument(second.firestorePort(), "tenants", "t_kept")).contains("\"active\"");
        assertThat(redis(second.redisPort(), "GET", "kept")).isEqualTo("$3\r\nyes");
    }

    @Test
    void twoProcessesStartingTogetherShareOneStack() throws Exception {
        // Two JVMs at the same moment, as `./plinth run &` and `./plinth token` are: one
        // starts the servers, the other waits for it and finds them.
        var children = new ArrayList<Process>();
        for (int i = 0; i < 2; i++) {
            children.add(new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                    "-cp", System.getProperty("java.class.path"), StartStack.class.getName(), home.toString(), PROJECT)
                    .redirectErrorStream(true).start());
        }
        var endpoints = new ArrayList<String>();
        for (Process child : children) {
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor()).as(out).isZero();
            endpoints.add(out.lines().filter(l -> l.startsWith("endpoints ")).findFirst().orElseThrow(() -> new AssertionError(out)));
        }
        assertThat(endpoints.get(0)).isEqualTo(endpoints.get(1));
        String[] ports = endpoints.get(0).split(" ");
        assertThat(Files.readString(home.resolve("run/infra.json")))
                .contains("\"firestorePort\":" + ports[1]).contains("\"redisPort\":" + ports[2]);
    }

    /** A process that finds or starts the stack of a home, prints its ports and exits (the servers stay). */
    static final class StartStack {
        public static void main(String[] args) throws Exception {
            var e = LocalInfra.persistent(Path.of(args[0]), args[1], InfraTools.fromEnvironment(), System.out::println).endpoints();
            System.out.println("endpoints " + e.firestorePort() + " " + e.redisPort());
        }
    }

    @Test
    void aSecondStartReusesTheRunningServers() throws Exception {
        infra = LocalInfra.persistent(home, PROJECT, InfraTools.fromEnvironment(), log::add);
        var again = LocalInfra.persistent(home, PROJECT, InfraTools.fromEnvironment(), log::add);
        assertThat(again.endpoints()).isEqualTo(infra.endpoints());
        assertThat(log).anyMatch(line -> line.startsWith("local infrastructure already running"));
    }

    private static String documentsUrl(int port) {
        return "http://127.0.0.1:" + port + "/v1/projects/" + PROJECT + "/databases/(default)/documents/";
    }

    private static void writeDocument(int port, String collection, String id, String json) throws Exception {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create(documentsUrl(port) + collection + "?documentId=" + id))
                .header("Content-Type", "application/json").header("Authorization", "Bearer owner")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static String readDocument(int port, String collection, String id) throws Exception {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create(documentsUrl(port) + collection + "/" + id))
                .header("Authorization", "Bearer owner").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    /** One RESP command; answers the reply's first line (and the bulk payload, if any). */
    private static String redis(int port, String... args) throws IOException {
        try (var socket = new Socket("127.0.0.1", port)) {
            var cmd = new StringBuilder("*" + args.length + "\r\n");
            for (String a : args) {
                cmd.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.setSoTimeout(2_000);
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[256];
            int n = in.read(buf);
            return new String(buf, 0, n, StandardCharsets.UTF_8).strip();
        }
    }
}
