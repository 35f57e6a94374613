/** The {@code plinth} command line: {@code run}, {@code token}, {@code stop}. {@code main} is here. */
package dev.plinth.cli;
