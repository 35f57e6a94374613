/** The only place in this module that reads environment variables. */
package dev.plinth.infra.bootstrap;
