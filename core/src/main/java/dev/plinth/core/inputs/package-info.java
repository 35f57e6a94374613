/**
 * The inputs of the entrypoints Plinth calls, as records: each is built in one place, is
 * the decision-cache key of its entrypoint, and is published as a JSON Schema for Rego
 * authors ({@code docs/contract/inputs/}, generated from {@link dev.plinth.core.inputs.PolicyInputs}).
 */
package dev.plinth.core.inputs;
