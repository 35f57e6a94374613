/**
 * Plinth's HTTP service. Start with {@link dev.plinth.api.cli.PlinthCli} ({@code main}),
 * then {@link dev.plinth.api.PlinthServer} (wiring) and {@link dev.plinth.api.http.Routes}
 * (every HTTP route in one place).
 */
package dev.plinth.api;
