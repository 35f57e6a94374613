package dev.plinth.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.datasync.admin.Kind;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The admin API, the mirrored records and the published schemas agree on every primitive's fields. */
class AdminFieldsTest {

    /** The published primitive of each admin kind. */
    private static final Map<Kind, String> PRIMITIVE = Map.ofEntries(
            Map.entry(Kind.TENANTS, "tenant"), Map.entry(Kind.USERS, "user"), Map.entry(Kind.MODES, "mode"),
            Map.entry(Kind.SURFACES, "surface"), Map.entry(Kind.APPS, "app"), Map.entry(Kind.IDENTITY_PROVIDERS, "identity_provider"),
            Map.entry(Kind.SECRETS, "secret_mapping"), Map.entry(Kind.BACKENDS, "backend"), Map.entry(Kind.RESOURCE_KINDS, "resource_kind"),
            Map.entry(Kind.ROUTES, "route"), Map.entry(Kind.MEMBERS, "membership"), Map.entry(Kind.SUBSCRIPTIONS, "subscription"),
            Map.entry(Kind.PROJECTS, "project"));

    /**
     * A field the admin API accepts but the mirror drops is data a policy can never see and
     * the published schema never mentions (as users' display_name was). Every kind's accepted
     * fields, read from its OpenAPI example, must be in its primitive's schema, which is
     * generated from the mirrored record, so in the record too.
     */
    @Test
    void everyFieldTheAdminApiAcceptsIsMirroredAndPublished() throws Exception {
        var json = new ObjectMapper();
        var schemas = Contract.schemas();
        var missing = new TreeMap<String, Set<String>>();
        for (Kind kind : Kind.values()) {
            assertThat(PRIMITIVE).as("every kind has a published primitive").containsKey(kind);
            @SuppressWarnings("unchecked")
            Map<String, Object> example = json.readValue(AdminRoutes.example(kind), Map.class);
            var published = new TreeSet<String>();
            schemas.get(PRIMITIVE.get(kind)).path("properties").fieldNames().forEachRemaining(published::add);
            var gone = new TreeSet<>(kind.acceptedFields(example));
            gone.removeAll(published);
            if (!gone.isEmpty()) {
                missing.put(kind.name(), gone);
            }
        }
        assertThat(missing).as("fields accepted by the admin API but not mirrored or published").isEmpty();
    }
}
