package dev.plinth.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.infra.bootstrap.InfraTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulator binds ports of its own choosing and can lose a race for one, exiting while
 * it starts. A launcher that fails a given number of times before running the real
 * emulator stands in for that race (a fault injector, not a stand-in: the emulator that
 * finally answers is the real one).
 */
class FirestoreStartTest {

    @TempDir
    Path dir;

    @Test
    void anEmulatorThatExitsWhileStartingIsStartedAgainOnAnotherPortAndAnswers() throws IOException {
        InfraTools tools = failingFirst(2);
        List<String> said = new ArrayList<>();
        List<Process> spawned = new ArrayList<>();
        var started = LocalInfra.startFirestoreOnFreePort(tools, Optional.empty(), dir.resolve("firestore.log"),
                said::add, spawned::add);
        try {
            assertTrue(LocalInfra.firestoreAnswers(started.port()));
            assertEquals(3, spawned.size(), "two failed starts and the one that answers");
            assertEquals(2, said.stream().filter(l -> l.contains("starting it again on another port")).count(), said.toString());
            assertTrue(said.get(0).contains("injected start failure"), "the retry says why, from the log: " + said.get(0));
        } finally {
            LocalInfra.terminate(List.of(started.process().pid()));
        }
    }

    @Test
    void anEmulatorThatNeverStartsFailsAfterTheLastAttemptQuotingItsLog() throws IOException {
        InfraTools tools = failingFirst(Integer.MAX_VALUE);
        List<Process> spawned = new ArrayList<>();
        var error = assertThrows(LocalInfra.EmulatorExited.class, () -> LocalInfra.startFirestoreOnFreePort(
                tools, Optional.empty(), dir.resolve("firestore.log"), line -> { }, spawned::add));
        assertEquals(3, spawned.size());
        assertTrue(error.getMessage().contains("exited with 1") && error.getMessage().contains("injected start failure"),
                error.getMessage());
    }

    /** A launcher that exits 1 (after logging why) on its first {@code failures} runs, then runs the emulator. */
    private InfraTools failingFirst(int failures) throws IOException {
        InfraTools real = InfraTools.fromEnvironment();
        Path counter = dir.resolve("runs");
        Path launcher = dir.resolve("emulator");
        Files.writeString(launcher, """
                #!/bin/bash
                n=$(( $(cat %1$s 2>/dev/null || echo 0) + 1 )); echo $n > %1$s
                if (( n <= %2$d )); then echo "injected start failure $n"; exit 1; fi
                exec %3$s "$@"
                """.formatted(counter, failures, real.firestoreEmulator()));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        return new InfraTools(launcher, real.redisServer());
    }
}
