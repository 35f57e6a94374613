package dev.plinth.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plinth.core.PlinthException;
import dev.plinth.core.auth.Credentials;
import dev.plinth.core.bootstrap.PlinthConfig;
import dev.plinth.core.context.Scope;
import dev.plinth.core.library.Plinth;
import dev.plinth.core.resources.Operation;
import dev.plinth.core.resources.Outcome;
import dev.plinth.testing.DevTokens;
import dev.plinth.testing.TestInfra;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** A library user runs model operations as typed values and gets typed outcomes and the core's refusals. */
class TypedOperationsTest {

    @Test
    void budgetsAndLocksThroughTypedOperations() throws Exception {
        var dir = Files.createTempDirectory("plinth-library");
        String key = "library-signing-key-0123456789abcdef0123456789abcdef";
        Files.writeString(dir.resolve("secrets.json"), "{\"dev_jwt_signing_key\": \"" + key + "\"}");
        var config = PlinthConfig.of(TestInfra.newProjectId(TypedOperationsTest.class), dir.resolve("secrets.json"))
                .withEmulator(TestInfra.shared().firestoreHost());
        try (Plinth plinth = Plinth.connect(config)) {
            var ctx = plinth.resolve(Credentials.bearer(DevTokens.token(key, "u_admin")), Scope.of("t_system", "dev"));
            var resources = plinth.resources();

            assertThat(resources.operate(ctx, "budgets", "q4", new Operation.Credit(10L), null))
                    .isEqualTo(new Outcome.Remaining(10, "firestore_default"));
            assertThat(resources.operate(ctx, "budgets", "q4", new Operation.Debit(4L), "debit-1"))
                    .isEqualTo(new Outcome.Remaining(6, "firestore_default"));
            assertThat(resources.operate(ctx, "budgets", "q4", new Operation.Debit(4L), "debit-1"))
                    .as("a retry with the same key is answered, not applied again").isEqualTo(new Outcome.Remaining(6, "firestore_default"));
            assertThatThrownBy(() -> resources.operate(ctx, "budgets", "q4", new Operation.Debit(7L), null))
                    .isInstanceOfSatisfying(PlinthException.Conflict.class, e -> assertThat(e.code()).isEqualTo("INSUFFICIENT_BUDGET"));
            assertThatThrownBy(() -> resources.operate(ctx, "budgets", "q4", new Operation.Debit(-1L), null))
                    .isInstanceOfSatisfying(PlinthException.Invalid.class, e -> assertThat(e.code()).isEqualTo("VALIDATION_FAILED"));
            assertThatThrownBy(() -> resources.operate(ctx, "budgets", "q4", new Operation.Increment(1L), null))
                    .as("a budget is no counter")
                    .isInstanceOfSatisfying(PlinthException.Invalid.class, e -> assertThat(e.code()).isEqualTo("OPERATION_NOT_SUPPORTED"));

            var first = (Outcome.Acquired) resources.operate(ctx, "strategy_lock", "plan", new Operation.Acquire("worker-a", 60_000L), null);
            assertThat(first.fencingToken()).isPositive();
            assertThatThrownBy(() -> resources.operate(ctx, "strategy_lock", "plan", new Operation.Acquire("worker-b", null), null))
                    .isInstanceOfSatisfying(PlinthException.Conflict.class, e -> assertThat(e.code()).isEqualTo("LOCK_HELD"));
            assertThat(resources.operate(ctx, "strategy_lock", "plan", new Operation.Release("worker-a", first.fencingToken()), null))
                    .isEqualTo(new Outcome.Released(true, first.backend()));
            var second = (Outcome.Acquired) resources.operate(ctx, "strategy_lock", "plan", new Operation.Acquire("worker-b", null), null);
            assertThat(second.fencingToken()).as("the fencing token only grows").isGreaterThan(first.fencingToken());
        }
    }
}
