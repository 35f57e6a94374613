/**
 * Routed resource stores. Start with {@link dev.plinth.backends.StoreRegistry}: it answers the
 * {@link dev.plinth.backends.ResourceStore} of a backend record. Stores are thread-safe.
 */
package dev.plinth.backends;
