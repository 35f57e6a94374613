/**
 * Readiness: whether a replica may serve and why not ({@link dev.plinth.core.health.Readiness.Report}),
 * the report {@code /health/ready} renders and a library user reads from {@code Plinth.readiness()}.
 */
package dev.plinth.core.health;
