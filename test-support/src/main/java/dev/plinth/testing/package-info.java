/**
 * The shared test harness: real servers ({@link dev.plinth.testing.TestInfra}, restartable
 * ones) and the one token minter ({@link dev.plinth.testing.DevTokens}). Test scope only.
 */
package dev.plinth.testing;
