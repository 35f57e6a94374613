/**
 * The one secret-resolution contract. Code asks {@link dev.plinth.datasync.secrets.SecretResolver}
 * for a logical name; the control plane's {@code secrets/{name}} says which provider holds
 * it under which reference. Values never appear in {@code toString}, logs or errors.
 */
package dev.plinth.datasync.secrets;
