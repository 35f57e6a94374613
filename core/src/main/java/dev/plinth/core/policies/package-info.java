/**
 * The policy lifecycle's rules that hold on every path a bundle takes (upload, activation,
 * load on each replica): {@link dev.plinth.core.policies.BundleTrust}. Thread-safe.
 */
package dev.plinth.core.policies;
