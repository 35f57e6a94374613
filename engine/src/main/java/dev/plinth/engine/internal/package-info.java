/**
 * Engine internals: the wasm instance pool. Not for use outside the engine module.
 */
package dev.plinth.engine.internal;
