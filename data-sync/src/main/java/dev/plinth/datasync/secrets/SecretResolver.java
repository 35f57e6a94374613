package dev.plinth.datasync.secrets;

/**
 * Resolves logical secret names to values. Implementations are thread-safe; a call may
 * block on the provider (a file read, a network call).
 */
public interface SecretResolver {

    /**
     * @throws SecretException naming the logical name and mapping entry when the mapping,
     *                         the provider or the secret itself is missing
     */
    SecretValue resolve(String logicalName);
}
