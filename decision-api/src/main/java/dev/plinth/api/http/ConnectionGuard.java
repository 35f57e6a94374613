package dev.plinth.api.http;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes connections that hold the server without making progress, where Helidon 4.5 has no
 * setting for it: its idle checker skips a connection once a request line has arrived, and a
 * socket read timeout does not apply to its listener sockets. Two cases:
 * <ul>
 *   <li>a request whose header block is not complete {@code headerTimeout} after its request
 *       line (a client trickling headers a byte at a time);</li>
 *   <li>a stream whose writer has been blocked in one write longer than its bound (a
 *       subscriber that stopped reading: its events are no longer buffered, and this frees the
 *       thread the write holds).</li>
 * </ul>
 * It listens to the HTTP/1 parser's events (one map put and remove per request) and one
 * daemon thread sweeps both tables at a fixed period, so a bound holds to within that period.
 */
public final class ConnectionGuard implements Http1ConnectionListener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class.getName());
    static final Duration PERIOD = Duration.ofMillis(250);

    private final long headerTimeoutNanos;
    /** Connections between their request line and the end of their headers, with the time the line arrived. */
    private final Map<ConnectionContext, Long> readingHeaders = new ConcurrentHashMap<>();
    /** Connections whose current request is a stream, by socket id, until the stream claims them. */
    private final Map<String, Pending> unclaimed = new ConcurrentHashMap<>();
    private final Map<Writer, Boolean> writers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "plinth-connection-guard");
        t.setDaemon(true);
        return t;
    });

    private record Pending(ConnectionContext connection, long atNanos) {}

    public ConnectionGuard(Duration headerTimeout) {
        this.headerTimeoutNanos = headerTimeout.toNanos();
        sweeper.scheduleAtFixedRate(this::sweep, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        readingHeaders.put(ctx, System.nanoTime());
        if (prologue.uriPath().rawPath().endsWith(RealtimeRoutes.EVENTS_SUFFIX)) {
            unclaimed.put(ctx.childSocketId(), new Pending(ctx, System.nanoTime()));
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        readingHeaders.remove(ctx);
    }

    /**
     * The writer of the stream answering the request on this socket; its writes are bounded by
     * {@code maxStall}. Without a known connection (not a stream path) the writes are unbounded.
     */
    Writer writer(String socketId, Duration maxStall) {
        Pending pending = unclaimed.remove(socketId);
        return new Writer(pending == null ? null : pending.connection(), maxStall.toNanos());
    }

    /** A stream's writes: {@link #write} marks the time a write starts so a stuck one is seen. */
    final class Writer implements AutoCloseable {
        private final ConnectionContext connection;
        private final long maxStallNanos;
        private volatile long writingSince; // 0: not in a write
        private volatile boolean cut;

        private Writer(ConnectionContext connection, long maxStallNanos) {
            this.connection = connection;
            this.maxStallNanos = maxStallNanos;
            if (connection != null) {
                writers.put(this, Boolean.TRUE);
            }
        }

        /** Runs one write; if the guard closed the connection under it, says so with {@link Cut}. */
        <E extends Exception> void write(Action<E> action) throws E {
            writingSince = System.nanoTime() | 1; // never 0 while writing
            try {
                action.run();
            } catch (RuntimeException e) {
                if (cut) {
                    throw new Cut(e);
                }
                throw e;
            } finally {
                writingSince = 0;
            }
        }

        private boolean stuck(long now) {
            long since = writingSince;
            return since != 0 && now - since > maxStallNanos;
        }

        @Override
        public void close() {
            writers.remove(this);
        }
    }

    /** A write failed because the guard closed its connection: the stream is over, nobody is listening. */
    static final class Cut extends RuntimeException {
        Cut(Throwable cause) {
            super("the client accepted no bytes within the stream's write bound", cause, false, false);
        }
    }

    @FunctionalInterface
    interface Action<E extends Exception> {
        void run() throws E;
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            readingHeaders.forEach((ctx, since) -> {
                if (now - since > headerTimeoutNanos && readingHeaders.remove(ctx, since)) {
                    close(ctx, "its request headers were not complete within the header timeout (PLINTH_HEADER_TIMEOUT_SECONDS)");
                }
            });
            // A stream path refused before its handler ran (401, 403, 429) leaves its entry here.
            unclaimed.values().removeIf(p -> now - p.atNanos() > headerTimeoutNanos + PERIOD.toNanos());
            writers.keySet().forEach(w -> {
                if (w.stuck(now) && writers.remove(w) != null) {
                    w.cut = true;
                    close(w.connection, "its stream's client accepted no bytes within the realtime max_write_stall_ms");
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "connection guard sweep failed; retrying at the next period", e);
        }
    }

    private static void close(ConnectionContext ctx, String why) {
        LOG.fine(() -> "closing connection " + ctx.childSocketId() + " from " + ctx.remotePeer().address() + ": " + why);
        try {
            ctx.serverSocket().close();
        } catch (RuntimeException e) {
            LOG.fine(() -> "closing connection " + ctx.childSocketId() + ": " + e); // already closed by its peer
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
