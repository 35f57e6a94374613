/**
 * Starts, finds and stops the local Firestore emulator and redis-server.
 *
 * <p>One piece of code for both users: {@link dev.plinth.infra.LocalInfra#persistent} serves
 * {@code ./plinth run} (processes outlive the service, data kept under a project-local
 * folder, Firestore exported over HTTP and imported on start), and
 * {@link dev.plinth.infra.TestInfra} serves the test harness (started once per test JVM,
 * killed at JVM exit, a fresh Firestore project id per test class). Thread-safe.
 */
package dev.plinth.infra;
