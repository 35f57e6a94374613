package dev.plinth.datasync.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plinth.datasync.model.Records.Identity;
import dev.plinth.datasync.model.Records.User;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The identity index updated for the changed users alone equals one rebuilt from every user. */
class SnapshotIdentityIndexTest {

    private static final String ISSUER = "https://issuer.example";

    @Test
    void updatingTheChangedUsersGivesTheSameIndexAsRebuildingIt() {
        var users = PersistentMap.<String, User>empty()
                .plus("u_a", user("u_a", "sub-a"))
                .plus("u_b", user("u_b", "sub-b", "sub-b2"))
                .plus("u_c", user("u_c", "sub-c"));
        Snapshot before = Snapshot.of(1, Map.of(), entities(users), null);

        // u_a gone, u_b loses one identity and gains another, u_d is new, u_c untouched.
        var changed = users.minus("u_a").plus("u_b", user("u_b", "sub-b", "sub-b3")).plus("u_d", user("u_d", "sub-d"));
        Snapshot incremental = Snapshot.of(2, Map.of(), entities(changed), before, Set.of("u_a", "u_b", "u_d"));
        Snapshot rebuilt = Snapshot.of(2, Map.of(), entities(changed), null);

        assertThat(incremental.userByIdentity()).isEqualTo(rebuilt.userByIdentity()).containsOnlyKeys(ISSUER);
        assertThat(incremental.userByIdentity().get(ISSUER)).hasSize(4);
        assertThat(incremental.userForIdentity(ISSUER, "sub-a")).isEmpty();
        assertThat(incremental.userForIdentity(ISSUER, "sub-b2")).isEmpty();
        assertThat(incremental.userForIdentity(ISSUER, "sub-b3")).map(User::id).contains("u_b");
        assertThat(incremental.userForIdentity(ISSUER, "sub-d")).map(User::id).contains("u_d");
        assertThat(incremental.userForIdentity(ISSUER, "sub-c")).map(User::id).contains("u_c");
    }

    private static User user(String id, String... subjects) {
        return new User(id, "active", List.of(subjects).stream().map(s -> new Identity(ISSUER, s)).toList(), null);
    }

    private static Snapshot.Entities entities(Map<String, User> users) {
        return new Snapshot.Entities(Map.of(), users, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
                Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }
}
