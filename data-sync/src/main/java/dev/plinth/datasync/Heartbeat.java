package dev.plinth.datasync;

import com.google.cloud.firestore.Firestore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Whether Firestore answers. Listen streams reconnect silently (no error callback when
 * Firestore goes away), so reachability is probed with a small read every second. While it
 * fails the replica is degraded: it decides on its last snapshot and refuses writes.
 */
final class Heartbeat implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    private final Firestore db;
    private final Clock clock;
    private final Runnable onRecovered;
    private final Runnable onLost;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("plinth-control-plane-heartbeat").factory());
    private volatile boolean reachable = true;
    private volatile Instant lastContact;

    /**
     * @param onRecovered run (on the heartbeat's thread) when Firestore answers again after failing
     * @param onLost      run (on the heartbeat's thread) each time Firestore stops answering, the first probe included
     */
    Heartbeat(Firestore db, Clock clock, Runnable onRecovered, Runnable onLost) {
        this.db = db;
        this.onLost = onLost;
        this.clock = clock;
        this.onRecovered = onRecovered;
    }

    void start() {
        lastContact = clock.instant();
        // The first probe at once: a replica starting during an outage learns it within the probe's timeout.
        timer.scheduleWithFixedDelay(this::probe, 0, 1, TimeUnit.SECONDS);
    }

    private void probe() {
        try {
            db.collection("system").document("seed").get().get(2, TimeUnit.SECONDS);
            if (!reachable) {
                reachable = true;
                onRecovered.run();
            }
            reachable = true;
            lastContact = clock.instant();
        } catch (Exception e) {
            boolean was = reachable;
            reachable = false;
            if (was) {
                LOG.warning("Firestore unreachable; deciding on the last snapshot, refusing writes: " + e);
                onLost.run();
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean reachable() {
        return reachable;
    }

    /** How long since Firestore last answered (zero while reachable). */
    Duration staleness() {
        Instant last = lastContact;
        return reachable || last == null ? Duration.ZERO : Duration.between(last, clock.instant());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
