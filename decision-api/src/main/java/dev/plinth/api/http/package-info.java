/**
 * HTTP routes, the context filter and the one problem+json error handler. Start with
 * {@link dev.plinth.api.http.Routes}: every route Plinth serves is declared there.
 */
package dev.plinth.api.http;
