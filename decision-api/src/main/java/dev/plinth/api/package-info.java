/**
 * Plinth's HTTP service, over {@code core}. Start with {@link dev.plinth.api.PlinthServer}
 * (wiring) and {@link dev.plinth.api.http.Routes} (every HTTP route in one place); the
 * {@code plinth} command that starts it is the {@code cli} module.
 */
package dev.plinth.api;
