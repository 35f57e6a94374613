package dev.plinth.datasync.secrets;

import java.util.Optional;

/** One place secrets are kept (a local file, Google Secret Manager). Thread-safe. */
public interface SecretProvider {
    /** The provider name used in {@code secrets/{name}.provider}. */
    String name();

    /** The value under {@code reference}, or empty when there is none. */
    Optional<SecretValue> read(String reference);
}
