package dev.plinth.datasync;

import dev.plinth.datasync.primitive.Kind;
import java.util.Optional;

/**
 * A consistency token, {@code <collection>:<µs>}: the commit time of a control-plane write
 * to a listened collection. The admin store answers one for every write; a client sends it
 * back in {@code X-Min-Revision}, and a replica waits until its listener of that collection
 * has reached that read time ({@link ControlPlane#awaitReadTime}). One type, produced and
 * parsed here, so the two sides cannot drift.
 */
public record RevisionToken(Kind source, long micros) {

    public RevisionToken {
        if (source == null || micros < 0) {
            throw new IllegalArgumentException("a revision token needs a listened collection and a non-negative time");
        }
    }

    /** @throws IllegalArgumentException naming the expected form when {@code text} is not a token */
    public static RevisionToken parse(String text) {
        int colon = text.indexOf(':');
        Optional<Kind> source = colon < 0 ? Optional.empty() : Kind.ofCollection(text.substring(0, colon));
        try {
            if (source.isPresent()) {
                return new RevisionToken(source.get(), Long.parseLong(text.substring(colon + 1)));
            }
        } catch (IllegalArgumentException ignored) {
            // a number that is not one (NumberFormatException) or negative: reported below
        }
        throw new IllegalArgumentException("X-Min-Revision must be <collection>:<microseconds> as answered by a write "
                + "(e.g. members:1795639412844476), was '" + text + "'");
    }

    @Override
    public String toString() {
        return source.collection() + ":" + micros;
    }
}
