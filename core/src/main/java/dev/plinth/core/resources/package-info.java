/**
 * Routed resources: {@link dev.plinth.core.resources.ResourceService} asks the routing spine
 * for the backend of a kind, then reads or writes the caller's tenant/env partition there.
 */
package dev.plinth.core.resources;
