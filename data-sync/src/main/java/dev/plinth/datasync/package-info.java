/**
 * The Firestore control plane, mirrored live into an immutable {@link dev.plinth.datasync.model.Snapshot}.
 *
 * <p>Start with {@link dev.plinth.datasync.ControlPlane}: it subscribes snapshot listeners to the
 * control-plane collections and publishes a new {@code Snapshot} after every change
 * (thread-safe; readers never lock). {@link dev.plinth.datasync.Seeder} writes the versioned
 * {@code t_system} seed on first start. This module knows no HTTP.
 */
package dev.plinth.datasync;
