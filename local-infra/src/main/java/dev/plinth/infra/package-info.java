/**
 * Starts, finds and stops the local Firestore emulator and redis-server.
 *
 * <p>One piece of code for both users: {@link dev.plinth.infra.LocalInfra#persistent} serves
 * {@code ./plinth run} (processes outlive the service, data kept under a project-local
 * folder, Firestore exported over HTTP and imported on start), and its public process
 * operations serve the test harness ({@code test-support}'s {@code TestInfra}: started once
 * per test JVM, killed at JVM exit, a fresh Firestore project id per test class). Thread-safe.
 */
package dev.plinth.infra;
