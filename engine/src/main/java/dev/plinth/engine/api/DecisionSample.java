package dev.plinth.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A bounded sample of recent decision inputs (the newest {@code capacity}), kept so a
 * candidate bundle can be compared with the active one on real traffic before it is
 * activated. Thread-safe.
 */
public final class DecisionSample {

    /** One sampled evaluation. */
    public record Entry(String entrypoint, JsonNode input) {}

    private final int capacity;
    private final ArrayDeque<Entry> entries;

    public DecisionSample(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("sample capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.entries = new ArrayDeque<>(capacity);
    }

    public synchronized void add(String entrypoint, JsonNode input) {
        if (entries.size() == capacity) {
            entries.removeFirst();
        }
        entries.addLast(new Entry(entrypoint, input));
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    public synchronized void addAll(DecisionSample other) {
        if (other != this) {
            other.entries().forEach(e -> add(e.entrypoint(), e.input()));
        }
    }
}
