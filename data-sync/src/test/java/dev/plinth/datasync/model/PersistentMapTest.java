package dev.plinth.datasync.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * PersistentMap against java.util.HashMap as the model: the same answers after every change,
 * through the overlay and across the folds into a new base, and every earlier version intact.
 */
class PersistentMapTest {

    @ParameterizedTest(name = "base of {0} entries")
    @ValueSource(ints = {0, 10, 1_000})
    void behavesLikeAHashMapAndKeepsEveryVersion(int baseSize) {
        var random = new Random(baseSize);
        var table = new HashMap<String, Integer>();
        for (int i = 0; i < baseSize; i++) {
            table.put("k" + i, i);
        }
        var model = new HashMap<>(table);
        PersistentMap<String, Integer> map = PersistentMap.adopt(table);
        List<PersistentMap<String, Integer>> versions = new ArrayList<>();
        List<Map<String, Integer>> expected = new ArrayList<>();
        // Enough changes to fold the overlay into a new base several times.
        for (int step = 0; step < 3_000; step++) {
            String key = "k" + random.nextInt(baseSize + 50);
            if (random.nextInt(3) == 0) {
                map = map.minus(key);
                model.remove(key);
            } else {
                map = map.plus(key, step);
                model.put(key, step);
            }
            assertThat(map.size()).isEqualTo(model.size());
            assertThat(map.get(key)).isEqualTo(model.get(key));
            assertThat(map.containsKey(key)).isEqualTo(model.containsKey(key));
            if (step % 97 == 0) {
                versions.add(map);
                expected.add(new HashMap<>(model));
            }
        }
        assertThat(map).isEqualTo(model);
        assertThat(new HashMap<>(map)).isEqualTo(model);
        for (int v = 0; v < versions.size(); v++) {
            assertThat(versions.get(v)).as("version %d", v).isEqualTo(expected.get(v));
        }
    }

    @Test
    void aNullKeyIsAbsentLikeAnyOther() {
        assertThat(PersistentMap.<String, Integer>empty().get(null)).isNull();
        assertThat(PersistentMap.<String, Integer>empty().plus("a", 1).containsKey(null)).isFalse();
        assertThat(PersistentMap.from(Map.of("a", 1)).get(null)).isNull();
    }

    @Test
    void removingAnAbsentKeyChangesNothing() {
        PersistentMap<String, Integer> map = PersistentMap.from(Map.of("a", 1));
        assertThat(map.minus("b")).isSameAs(map);
        assertThat(map.minus("a").minus("a")).isEmpty();
    }

    @Test
    void fromCopiesAndTheMutatorsOfMapThrow() {
        var source = new HashMap<>(Map.of("a", 1));
        PersistentMap<String, Integer> map = PersistentMap.from(source);
        source.put("b", 2);
        assertThat(map).containsOnlyKeys("a");
        assertThatThrownBy(() -> map.put("c", 3)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.entrySet().iterator().next().setValue(5)).isInstanceOf(UnsupportedOperationException.class);
    }
}
