/**
 * The routing spine: {@link dev.plinth.core.routing.Routing#backendFor} asks the policy
 * {@code plinth/routing/backend} which backend serves a resource kind for a resolved context.
 * Services never pick a backend themselves. Thread-safe.
 */
package dev.plinth.core.routing;
