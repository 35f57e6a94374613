/**
 * The realtime substrate: threads and their ACLs in the routed, durable
 * {@code realtime_registry}; messages on the routed {@code chat_bus} (an event log on
 * Firestore or Redis). Every publish and subscribe is decided by {@code plinth/realtime/acl}.
 */
package dev.plinth.core.realtime;
