package dev.plinth.core.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The typed operations and outcomes are exactly what the documented table (ModelOperation) says. */
class ModelOperationsTest {

    private static final Map<String, Class<? extends Outcome>> OUTCOME = Map.of(
            "increment", Outcome.Value.class, "acquire", Outcome.Acquired.class, "renew", Outcome.Renewed.class,
            "release", Outcome.Released.class, "credit", Outcome.Remaining.class, "debit", Outcome.Remaining.class,
            "append", Outcome.Appended.class, "range", Outcome.Events.class, "take", Outcome.Taken.class);

    @Test
    void everyDocumentedOperationHasItsTypedRequestAndAnswer() {
        assertThat(Operation.BY_NAME.keySet()).isEqualTo(ModelOperation.ALL.stream().map(ModelOperation::name).collect(Collectors.toSet()));
        for (ModelOperation op : ModelOperation.ALL) {
            assertThat(fields(Operation.named(op.name()).orElseThrow())).as(op.name() + " request").isEqualTo(op.request().keySet());
            Set<String> answer = fields(OUTCOME.get(op.name()));
            answer.remove("backend");
            assertThat(answer).as(op.name() + " answer").isEqualTo(op.answer().keySet());
        }
    }

    private static Set<String> fields(Class<?> type) {
        return Arrays.stream(type.getRecordComponents())
                .map(c -> c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
