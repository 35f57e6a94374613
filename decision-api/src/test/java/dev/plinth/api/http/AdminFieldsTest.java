package dev.plinth.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.datasync.primitive.Kind;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The admin API, the mirrored records and the published schemas agree on every primitive's fields. */
class AdminFieldsTest {

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
            assertThat(schemas).as("every kind has a published primitive").containsKey(kind.schemaName());
            @SuppressWarnings("unchecked")
            Map<String, Object> example = json.readValue(AdminRoutes.example(kind), Map.class);
            var published = new TreeSet<String>();
            schemas.get(kind.schemaName()).path("properties").fieldNames().forEachRemaining(published::add);
            var gone = new TreeSet<>(kind.acceptedFields(example));
            gone.removeAll(published);
            if (!gone.isEmpty()) {
                missing.put(kind.name(), gone);
            }
        }
        assertThat(missing).as("fields accepted by the admin API but not mirrored or published").isEmpty();
    }
}
