/** Benchmarks; see the module README. Nothing here is used by Plinth itself. */
package dev.plinth.bench;
