/** Structured logs: one JSON object per line, with the request and decision ids of the request being served. */
package dev.plinth.api.logging;
