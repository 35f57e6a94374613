package dev.plinth.datasync;

import com.google.api.gax.rpc.BidiStreamingCallable;
import com.google.cloud.firestore.Firestore;
import com.google.firestore.v1.ListenRequest;
import com.google.firestore.v1.StructuredQuery;
import com.google.firestore.v1.Value;
import dev.plinth.datasync.model.PlatformDefaults;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Proves end to end that the listen streams are alive. A read answering says nothing about
 * them: a half-open listen connection (its peer gone, no RST) stays silent, no error ever
 * reaches its observer, and the mirror freezes while the replica looks healthy. So each
 * replica writes its own heartbeat document ({@code system_liveness/<replica>}, a sequence
 * number) on a period through the ordinary client, and listens to it on the listen
 * streams' channel; a write acknowledged by Firestore but not seen back within the bound
 * means that channel is dead. Then the replica is DEGRADED with the reason, and the owner
 * re-opens the channel and every stream ({@code onSilent}), which catch up as after any
 * failure. Period and bound are data: {@code t_system.defaults.liveness_period_ms} and
 * {@code liveness_timeout_ms}.
 */
final class Liveness implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Liveness.class.getName());
    static final String COLLECTION = "system_liveness";

    /** The mirror's liveness, for health: the last echo seen and, while silent, why. */
    record State(Instant lastEchoAt, String problem) {}

    private final Firestore db;
    private final Clock clock;
    private final Supplier<PlatformDefaults> defaults;
    private final Supplier<BidiStreamingCallable<ListenRequest, byte[]>> listen;
    private final String database;
    private final Runnable onSilent;
    private final String replica = UUID.randomUUID().toString();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("plinth-liveness").factory());
    private final Object lock = new Object();
    private ListenStream stream;
    private long written;       // the newest sequence number Firestore acknowledged
    private Instant writtenAt;  // when the oldest acknowledged, unechoed one was acknowledged
    private long echoed;        // the newest sequence number seen through the listen stream
    private Instant lastEchoAt;
    private String problem;
    private long nextSeq = 1;
    private long lastWriteAt;
    private volatile boolean closed;

    /**
     * @param listen   the listen channel's callable, asked at each (re)subscription: the owner may replace the channel
     * @param onSilent called (on this object's thread) when a heartbeat did not come back in time
     */
    Liveness(Firestore db, Clock clock, Supplier<PlatformDefaults> defaults, Supplier<BidiStreamingCallable<ListenRequest, byte[]>> listen,
             String database, Runnable onSilent) {
        this.db = db;
        this.clock = clock;
        this.defaults = defaults;
        this.listen = listen;
        this.database = database;
        this.onSilent = onSilent;
    }

    void start() {
        if (closed) {
            return;
        }
        subscribe();
        try {
            // A fine tick; the period itself is data and may change while running.
            timer.scheduleWithFixedDelay(this::tick, 100, 100, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    State state() {
        synchronized (lock) {
            return new State(lastEchoAt, problem);
        }
    }

    /** Re-opens the heartbeat's own stream (on the owner's new channel). */
    void resubscribe() {
        subscribe();
    }

    private void subscribe() {
        if (closed) {
            return;
        }
        var query = StructuredQuery.newBuilder()
                .addFrom(StructuredQuery.CollectionSelector.newBuilder().setCollectionId(COLLECTION))
                .setWhere(StructuredQuery.Filter.newBuilder().setFieldFilter(StructuredQuery.FieldFilter.newBuilder()
                        .setField(StructuredQuery.FieldReference.newBuilder().setFieldPath("replica"))
                        .setOp(StructuredQuery.FieldFilter.Operator.EQUAL)
                        .setValue(Value.newBuilder().setStringValue(replica))))
                .build();
        var next = new ListenStream(listen.get(), database, query, new ListenStream.Parser() {
            @Override
            public String key(String documentPath) {
                return documentPath;
            }

            @Override
            public Object parse(String documentPath, String key, Map<String, Object> fields) {
                return fields != null && fields.get("seq") instanceof Long seq ? seq : null;
            }
        }, new ListenStream.Handler() {
            @Override
            public void batch(ListenStream.Batch batch) {
                batch.changes().values().forEach(v -> {
                    if (v instanceof Long seq) {
                        echo(seq);
                    }
                });
            }

            @Override
            public void ended(Throwable cause) {
                // Ended streams are the supervisor's kind of failure; re-open after a second.
                if (!closed) {
                    try {
                        timer.schedule(Liveness.this::subscribe, 1, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // closed meanwhile
                    }
                }
            }
        });
        ListenStream old;
        synchronized (lock) {
            if (closed) {
                return; // closed meanwhile: close() has seen the last stream
            }
            old = stream;
            stream = next;
        }
        if (old != null) {
            old.close();
        }
        next.start();
    }

    private void echo(long seq) {

        synchronized (lock) {
            if (seq > echoed) {
                echoed = seq;
                lastEchoAt = clock.instant();
                if (echoed >= written) {
                    writtenAt = null;
                }
                if (problem != null) {
                    LOG.info("the listen streams are alive again (heartbeat " + seq + " came back)");
                    problem = null;
                }
            }
        }
    }

    private void tick() {
        try {
            PlatformDefaults d = defaults.get();
            long now = System.nanoTime();
            boolean silent = false;
            synchronized (lock) {
                if (written > 0 && echoed < written && writtenAt != null
                        && Duration.between(writtenAt, clock.instant()).compareTo(d.livenessTimeout()) > 0 && problem == null) {
                    problem = "a heartbeat written " + Duration.between(writtenAt, clock.instant()).toMillis()
                            + " ms ago has not come back through the listen streams (bound: t_system.defaults.liveness_timeout_ms = "
                            + d.livenessTimeout().toMillis() + "); re-opening them";
                    silent = true;
                    writtenAt = null; // the next incident counts from the next write
                }
            }
            if (silent) {
                LOG.warning("listen streams silent: " + problem);
                onSilent.run();
            }
            // The period as the data says now: a changed period applies from the next tick.
            if (lastWriteAt != 0 && now - lastWriteAt < d.livenessPeriod().toNanos()) {
                return;
            }
            lastWriteAt = now;
            long seq = nextSeq++;
            db.collection(COLLECTION).document(replica)
                    .set(Map.of("replica", replica, "seq", seq, "written_at", clock.millis()))
                    .get(d.livenessTimeout().toMillis(), TimeUnit.MILLISECONDS);
            synchronized (lock) {
                if (seq > written) {
                    written = seq;
                    if (echoed < seq && writtenAt == null) {
                        writtenAt = clock.instant();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Not acknowledged: Firestore itself is unreachable or slow, which the heartbeat
            // read reports; only an acknowledged write says something about the streams.
        }
    }

    @Override
    public void close() {
        ListenStream last;
        synchronized (lock) {
            closed = true;
            last = stream;
        }
        timer.shutdownNow();
        if (last != null) {
            last.close(); // a stream closed before it started cancels itself when it does
        }
        try {
            db.collection(COLLECTION).document(replica).delete().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Left behind: one small document per replica that did not stop cleanly.
        }
    }
}
