/**
 * The static wiring: the only code that reads environment variables. Everything else is
 * control-plane data. docs/configuration.md lists every variable.
 */
package dev.plinth.core.bootstrap;
