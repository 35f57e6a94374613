/**
 * Library mode: {@link dev.plinth.core.library.Plinth} gives a Java service the same
 * decisions, context resolution and routing in-process, with the same Firestore sync and
 * no HTTP server. The HTTP server is built on it. Thread-safe.
 */
package dev.plinth.core.library;
