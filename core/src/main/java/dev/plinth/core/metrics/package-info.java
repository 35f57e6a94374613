/** Plinth's meters (Micrometer): decisions, decision cache, routed stores, health, listeners, instance pools, the active bundle. */
package dev.plinth.core.metrics;
