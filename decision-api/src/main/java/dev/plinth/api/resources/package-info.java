/**
 * Routed resources: {@link dev.plinth.api.resources.ResourceService} asks the routing spine
 * for the backend of a kind, then reads or writes the caller's tenant/env partition there.
 */
package dev.plinth.api.resources;
