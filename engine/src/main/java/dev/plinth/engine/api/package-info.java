/**
 * The engine's public surface: load an OPA wasm {@link dev.plinth.engine.api.Bundle}, give
 * it global data, and evaluate entrypoints with {@link dev.plinth.engine.api.PolicyEngine}.
 *
 * <p>Start with {@link dev.plinth.engine.api.PolicyEngine}. It is thread-safe; every other
 * type here is an immutable value. Failures are {@link dev.plinth.engine.api.EngineException}s
 * with a stable code. Nothing in this module opens a network connection.
 */
package dev.plinth.engine.api;
