package dev.plinth.datasync.primitive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.datasync.model.Snapshot;
import java.lang.reflect.ParameterizedType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The registry holds together: each kind's example is a body its own validation accepts,
 * the stored document that validation makes parses into the kind's record, and the
 * snapshot keeps exactly one map of that record per kind (the one table not derived from
 * the registry, because its maps are typed: this test is what keeps it in step).
 */
class KindRegistryTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyExampleIsAcceptedAndParsesIntoItsKindsRecord() throws Exception {
        var json = new ObjectMapper();
        for (Kind kind : Kind.values()) {
            Map<String, Object> example = new HashMap<>(json.readValue(kind.example(), Map.class));
            String id = (String) example.remove("id");
            var stored = kind.validate(kind.tenantScoped() ? "t_example" : null, id, example).document();
            String path = kind.path("t_example", id);
            Object record = kind.parse(new DocumentParser.Doc(path, id, kind.tenantScoped() ? "t_example" : null, stored));
            assertThat(record).as(kind + " parses into its record").isInstanceOf(kind.recordType());
        }
    }

    @Test
    void theSnapshotKeepsOneMapOfEachKindsRecord() {
        Set<Class<?>> mapped = new HashSet<>();
        for (var component : Snapshot.Entities.class.getRecordComponents()) {
            var type = (ParameterizedType) component.getGenericType();
            assertThat(type.getRawType()).isEqualTo(Map.class);
            mapped.add((Class<?>) type.getActualTypeArguments()[1]);
        }
        Set<Class<?>> kinds = new HashSet<>();
        for (Kind kind : Kind.values()) {
            kinds.add(kind.recordType());
        }
        assertThat(mapped).isEqualTo(kinds);
        assertThat(Snapshot.Entities.class.getRecordComponents()).hasSameSizeAs(Kind.values());
    }

    @Test
    void collectionsAndSchemaNamesAreUnique() {
        Set<String> collections = new HashSet<>();
        Set<String> schemas = new HashSet<>();
        for (Kind kind : Kind.values()) {
            assertThat(collections.add(kind.collection())).as(kind.collection()).isTrue();
            assertThat(schemas.add(kind.schemaName())).as(kind.schemaName()).isTrue();
            assertThat(Kind.ofCollection(kind.collection())).contains(kind);
        }
    }
}
