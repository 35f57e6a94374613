package dev.plinth.core.resources;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What a model operation answered, typed; each carries the backend that ran it. Field names
 * are the answer fields {@link ModelOperation} documents (snake_case of the components).
 */
public sealed interface Outcome {

    /** The backend that ran the operation. */
    String backend();

    /** increment: the counter's new value. */
    record Value(long value, String backend) implements Outcome {}

    /** acquire: the lock is the caller's, with a fencing token that grows with every acquisition of the key. */
    record Acquired(boolean acquired, long fencingToken, long expiresAtMs, String backend) implements Outcome {}

    /** renew: the lease now ends at {@code expiresAtMs}. */
    record Renewed(boolean renewed, long expiresAtMs, String backend) implements Outcome {}

    /** release: the lock is free. */
    record Released(boolean released, String backend) implements Outcome {}

    /** credit, debit: the new balance, never below zero. */
    record Remaining(long remaining, String backend) implements Outcome {}

    /** append: the event's time (epoch ms). */
    record Appended(boolean appended, long atMs, String backend) implements Outcome {}

    /** range: events, oldest first. */
    record Events(List<Event> events, String backend) implements Outcome {}

    /** One event of a log and its time. */
    record Event(long atMs, JsonNode event) {}

    /** take: whether the tokens were taken, and what is left. */
    record Taken(boolean allowed, double remaining, String backend) implements Outcome {}
}
