/**
 * Uploaded policy bundles in Firestore ({@code policy_bundles/{name}} with chunks under the
 * document size limit, sha256-checked) and the active pointer {@code policy/active}, which
 * every replica follows. Start with {@link dev.plinth.datasync.bundles.BundleStore}.
 */
package dev.plinth.datasync.bundles;
