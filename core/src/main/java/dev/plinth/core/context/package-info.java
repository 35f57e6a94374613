/**
 * Request context resolution: gathers facts (verified credentials, headers, control-plane
 * records) and lets the policy {@code plinth/authz/decision} decide. Start with
 * {@link dev.plinth.core.context.ContextResolver}. Thread-safe.
 */
package dev.plinth.core.context;
