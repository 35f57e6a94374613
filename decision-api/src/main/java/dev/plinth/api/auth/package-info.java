/**
 * JWT verification against the identity providers configured as control-plane data.
 * Start with {@link dev.plinth.api.auth.TokenVerifier}. Thread-safe.
 */
package dev.plinth.api.auth;
