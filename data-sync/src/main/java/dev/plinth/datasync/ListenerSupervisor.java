package dev.plinth.datasync;

import dev.plinth.datasync.primitive.Kind;
import com.google.api.gax.rpc.BidiStreamingCallable;
import com.google.firestore.v1.ListenRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps one listen stream open per control-plane collection (members, subscriptions and
 * projects through collection-group queries): subscribes them, re-subscribes a failed one
 * with exponential backoff (500 ms doubling to 30 s; a stream that delivered starts again
 * from the shortest delay) while the replica keeps deciding on its last snapshot, and knows
 * each one's state for health. The first subscription of a start resumes from the snapshot
 * file's resume token when there is one (only the changes since are sent; the server may
 * reset the target and send the full result instead); every re-subscription starts from scratch. Batches and
 * endings go to a {@link Sink}, which must not block the transport's thread.
 */
final class ListenerSupervisor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ListenerSupervisor.class.getName());

    /** Where a stream's events go. */
    interface Sink {
        /** @param resumed the stream was opened with a resume token */
        void batch(Kind source, ListenStream.Batch batch, boolean resumed);

        /** The stream ended; {@code retry} re-subscribes it (after the backoff) when called. */
        void ended(Kind source, Throwable cause, Runnable retry);
    }

    /** A stream's state: {@code subscribing}, {@code live}, {@code retrying} or {@code catching-up}. */
    record Status(String state, Instant lastEventAt, String lastError) {}

    private final java.util.function.Supplier<BidiStreamingCallable<ListenRequest, byte[]>> listen;
    private final String database;
    private final Clock clock;
    private final Sink sink;
    private final java.util.function.Function<Kind, byte[]> resumeTokens;
    private final Object lock = new Object();
    private final Map<Kind, Status> states = new EnumMap<>(Kind.class);
    private final Map<Kind, ListenStream> streams = new EnumMap<>(Kind.class);
    /** Per source, the number of subscriptions made: a scheduled retry overtaken by a newer subscription is dropped. */
    private final Map<Kind, Integer> epochs = new EnumMap<>(Kind.class);
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("plinth-control-plane-retry").factory());
    private volatile boolean closed;

    /** @param resumeTokens where each collection's stream can resume (empty: from scratch), asked at each subscription */
    /** @param listen the listen channel's callable, asked at each subscription (the owner may replace the channel) */
    ListenerSupervisor(java.util.function.Supplier<BidiStreamingCallable<ListenRequest, byte[]>> listen, String database, Clock clock,
                       java.util.function.Function<Kind, byte[]> resumeTokens, Sink sink) {
        this.resumeTokens = resumeTokens;
        this.listen = listen;
        this.database = database;
        this.clock = clock;
        this.sink = sink;
        for (Kind s : Kind.values()) {
            states.put(s, new Status("subscribing", null, null));
        }
    }

    void start() {
        for (Kind s : Kind.values()) {
            subscribe(s, 0, true);
        }
    }

    Map<Kind, Status> states() {
        synchronized (lock) {
            return new EnumMap<>(states);
        }
    }

    /** A batch of {@code source} was applied: its stream is live. */
    void delivered(Kind source) {
        synchronized (lock) {
            states.put(source, new Status("live", clock.instant(), null));
        }
    }

    /**
     * Re-subscribes at once every stream waiting out its backoff (up to 30 s), so the mirror
     * catches up as soon as Firestore answers again. Live streams are left alone: a busy
     * Firestore also misses heartbeats, and reloading a million documents then would only
     * add load.
     */
    void resubscribeRetrying() {
        for (var e : states().entrySet()) {
            if ("retrying".equals(e.getValue().state())) {
                resubscribe(e.getKey());
            }
        }
    }

    /**
     * @param initial the first subscription of this start: it resumes from the snapshot file's
     *                token. Every later one (after a failure, a silent channel, a count
     *                mismatch) starts from scratch, as before resume existed: once, in CI, a
     *                replica that resumed its streams after the emulator restarted never saw a
     *                membership written right after (not reproduced in three runs since); a
     *                full result is always right, and only a restart needs to be fast.
     */
    private void subscribe(Kind source, int attempt, boolean initial) {
        if (closed) {
            return;
        }
        byte[] token = initial ? resumeTokens.apply(source) : null;
        boolean resumed = token != null && token.length > 0;
        var handler = new ListenStream.Handler() {
            private boolean delivered;

            @Override
            public void batch(ListenStream.Batch batch) {
                delivered = true;
                sink.batch(source, batch, resumed);
            }

            @Override
            public void ended(Throwable cause) {
                // A stream that delivered has recovered once: its next retry starts from the shortest delay.
                int next = delivered ? 0 : attempt;
                sink.ended(source, cause, () -> failed(source, next, cause));
            }
        };
        var stream = new ListenStream(listen.get(), database,
                ListenStream.collection(source.collection(), source.collectionGroup()), new KindParser(source), handler,
                token);
        synchronized (lock) {
            if (closed) {
                return; // closed meanwhile: a stream opened now would keep the channel from terminating
            }
            epochs.merge(source, 1, Integer::sum);
            ListenStream replaced = streams.put(source, stream);
            if (replaced != null) {
                replaced.close();
            }
        }
        stream.start();
    }

    /** Opens every stream again at once (after the channel was replaced), each from its resume token. */
    void resubscribeAll() {
        for (Kind k : Kind.values()) {
            resubscribe(k);
        }
    }

    /** Opens the collection's stream again at once (from its resume token, if any). */
    void resubscribe(Kind source) {
        synchronized (lock) {
            ListenStream old = streams.remove(source);
            if (old != null) {
                old.close();
            }
            Status state = states.get(source);
            states.put(source, new Status("catching-up", state.lastEventAt(), state.lastError()));
        }
        subscribe(source, 0, false);
    }

    private void failed(Kind source, int attempt, Throwable error) {
        long delayMs = Math.min(30_000, 500L << Math.min(attempt, 6));
        LOG.log(Level.WARNING, "listener " + source.collection() + " failed; re-subscribing in " + delayMs + " ms: " + error.getMessage());
        int epoch;
        synchronized (lock) {
            Status old = states.get(source);
            states.put(source, new Status("retrying", old.lastEventAt(), error.getMessage()));
            ListenStream stream = streams.remove(source);
            if (stream != null) {
                stream.close();
            }
            epoch = epochs.getOrDefault(source, 0);
        }
        if (closed) {
            return;
        }
        try {
            retries.schedule(() -> {
                synchronized (lock) {
                    if (epochs.getOrDefault(source, 0) != epoch) {
                        return; // re-subscribed meanwhile (Firestore answered again)
                    }
                }
                subscribe(source, attempt + 1, false);
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            new ArrayList<>(streams.values()).forEach(ListenStream::close);
            streams.clear();
        }
        retries.shutdownNow();
    }
}
