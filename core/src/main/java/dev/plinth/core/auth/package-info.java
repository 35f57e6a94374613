/**
 * JWT verification against the identity providers configured as control-plane data.
 * Start with {@link dev.plinth.core.auth.TokenVerifier}. Thread-safe.
 */
package dev.plinth.core.auth;
