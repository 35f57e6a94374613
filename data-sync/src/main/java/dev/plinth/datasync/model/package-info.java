/**
 * Control-plane records (immutable) and the {@link dev.plinth.datasync.model.Snapshot} that
 * indexes them. Field names are serialized in snake_case, the form policies see in input.
 */
package dev.plinth.datasync.model;
