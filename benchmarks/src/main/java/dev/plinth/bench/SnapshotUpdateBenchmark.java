package dev.plinth.bench;

import dev.plinth.datasync.model.PersistentMap;
import dev.plinth.datasync.model.Records.Identity;
import dev.plinth.datasync.model.Records.User;
import dev.plinth.datasync.model.Snapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one user write costs the listener thread: publishing the next {@code Snapshot} after
 * one user changed, with the identity index updated for that user alone (what
 * {@code ControlPlane} does for a change) or rebuilt from every user (what it did before,
 * and still does for a full result).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgs = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED"})
public class SnapshotUpdateBenchmark {

    private static final String ISSUER = "https://issuer.example";

    @Param({"10000", "1000000"})
    public int users;

    private Snapshot previous;
    private Snapshot.Entities next;
    private Set<String> changed;

    @Setup(Level.Trial)
    public void setUp() {
        var all = new HashMap<String, User>();
        for (int i = 0; i < users; i++) {
            all.put("u_" + i, user("u_" + i, "sub-" + i));
        }
        PersistentMap<String, User> before = PersistentMap.from(all);
        previous = Snapshot.of(1, Map.of(), entities(before), null);
        next = entities(before.plus("u_7", user("u_7", "sub-7-new")));
        changed = Set.of("u_7");
    }

    @Benchmark
    public Snapshot updateTheChangedUser() {
        return Snapshot.of(2, Map.of(), next, previous, changed);
    }

    @Benchmark
    public Snapshot rebuildFromEveryUser() {
        return Snapshot.of(2, Map.of(), next, previous, null);
    }

    private static User user(String id, String subject) {
        return new User(id, "active", List.of(new Identity(ISSUER, subject)), null);
    }

    private static Snapshot.Entities entities(Map<String, User> users) {
        return new Snapshot.Entities(Map.of(), users, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
                Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }
}
