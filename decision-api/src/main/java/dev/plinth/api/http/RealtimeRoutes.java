package dev.plinth.api.http;

import dev.plinth.core.realtime.RealtimeService;
import dev.plinth.backends.ResourceStore;
import dev.plinth.datasync.model.Json;
import io.helidon.http.Method;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code /v1/realtime/threads/{id}}: a thread's ACL (PUT, GET), publishing
 * ({@code POST …/messages}) and following it as Server-Sent Events ({@code GET …/events}).
 * An open stream re-resolves its caller's whole context (token, membership, suspension,
 * tenant state) and the thread's ACL at a cadence that is data, and ends with an {@code end}
 * event naming why: {@code revoked} (with the refusal's code), {@code slow_consumer} (more
 * events buffered than allowed), {@code max_events} or {@code max_ms}. Its length, buffer and
 * the streams per user are bounded by data ({@code tenants/t_system.defaults.realtime}).
 * Messages within one re-check period may still be delivered after a revocation.
 */
final class RealtimeRoutes {

    /** How a stream's path ends: the {@link ConnectionGuard} watches the connections that request one. */
    static final String EVENTS_SUFFIX = "/events";

    private final RealtimeService realtime;
    private final ConnectionGuard connections;

    RealtimeRoutes(RealtimeService realtime, ConnectionGuard connections) {
        this.realtime = realtime;
        this.connections = connections;
    }

    List<RouteSpec> routes() {
        String thread = "/v1/realtime/threads/{id}";
        return List.of(
                new RouteSpec(Method.PUT, thread, null, "write", false, null, "Create or replace a thread's ACL (readers, writers)",
                        "{\"readers\": [\"u_example\"], \"writers\": [\"u_admin\"]}", this::put).with(ResourceRoutes.IDEMPOTENCY_KEY),
                new RouteSpec(Method.GET, thread, null, "read", false, null, "Read a thread's ACL", null, this::get),
                new RouteSpec(Method.POST, thread + "/messages", null, "write", false, null,
                        "Publish a message to a thread (writers only)", "{\"message\": {\"text\": \"hi\"}}", this::publish)
                        .with(ResourceRoutes.IDEMPOTENCY_KEY),
                new RouteSpec(Method.GET, thread + EVENTS_SUFFIX, null, "read", false, null,
                        "Follow a thread as Server-Sent Events (readers and writers)", null, this::events)
                        .with(RouteSpec.Param.query("from_ms", "integer", "replay the history from this time on (epoch ms; default 0: from the beginning), then follow"),
                                RouteSpec.Param.query("max_events", "integer", "end the stream after this many events"),
                                RouteSpec.Param.query("max_ms", "integer", "end the stream after this many milliseconds (default one hour)")));
    }

    private void put(RouteSpec.Call call, ServerResponse res) {
        JsonResponses.send(res, 200, realtime.putThread(call.context(), call.param("id"), call.body(),
                call.header(dev.plinth.core.resources.Idempotency.HEADER)));
    }

    private void get(RouteSpec.Call call, ServerResponse res) {
        JsonResponses.send(res, 200, realtime.authorize(call.context(), call.param("id"), "subscribe"));
    }

    private void publish(RouteSpec.Call call, ServerResponse res) {
        var placement = realtime.publish(call.context(), call.param("id"), call.body() == null ? null : call.body().get("message"),
                call.header(dev.plinth.core.resources.Idempotency.HEADER));
        JsonResponses.send(res, 200, Json.MAPPER.createObjectNode().put("published", true).put("backend", placement.backendId()));
    }

    private void events(RouteSpec.Call call, ServerResponse res) throws Exception {
        try {
            stream(call, res);
        } catch (ConnectionGuard.Cut cut) {
            java.util.logging.Logger.getLogger(RealtimeRoutes.class.getName()).fine(() -> "stream cut off: " + cut.getMessage());
        }
    }

    private void stream(RouteSpec.Call call, ServerResponse res) throws Exception {
        var limits = realtime.limits();
        long from = call.longQuery("from_ms", 0);
        long maxEvents = call.longQuery("max_events", Long.MAX_VALUE);
        long maxMs = call.longQuery("max_ms", limits.maxStreamMillis());
        if (maxMs < 1 || maxMs > limits.maxStreamMillis() || maxEvents < 1) {
            throw new dev.plinth.core.PlinthException.Invalid("VALIDATION_FAILED", "max_ms must be 1.." + limits.maxStreamMillis()
                    + " (tenants/t_system.defaults.realtime.max_stream_ms) and max_events positive");
        }
        long deadline = System.currentTimeMillis() + maxMs;
        // Bounded: a subscriber that does not read is cut off, never buffered for ever.
        var queue = new java.util.concurrent.ArrayBlockingQueue<ResourceStore.Event>(limits.maxBufferedEvents());
        var overflow = new java.util.concurrent.atomic.AtomicBoolean();
        var feed = new java.util.concurrent.atomic.AtomicReference<AutoCloseable>();
        // Admitted, authorized (and routed) before the first byte, so a refusal is still a problem response.
        try (AutoCloseable admitted = realtime.admitStream(call.context());
             AutoCloseable subscription = realtime.subscribe(call.context(), call.param("id"), from, e -> {
                 if (!queue.offer(e) && overflow.compareAndSet(false, true)) {
                     stopFeeding(feed.get()); // nothing more is held for a consumer that does not read
                 }
             });
             var writer = connections.writer(call.request().socketId(), java.time.Duration.ofMillis(limits.maxWriteStallMillis()));
             SseSink sink = res.sink(SseSink.TYPE)) {
            feed.set(subscription);
            long sent = 0;
            long checked = System.currentTimeMillis();
            String reason = "max_ms";
            while (System.currentTimeMillis() < deadline) {
                if (overflow.get()) {
                    reason = "slow_consumer";
                    break;
                }
                ResourceStore.Event e = queue.poll(Math.min(limits.recheckMillis(), Math.max(1, deadline - System.currentTimeMillis())),
                        TimeUnit.MILLISECONDS);
                // At the data's cadence, not per message: a busy thread must not cost a resolution per event.
                if (System.currentTimeMillis() - checked >= limits.recheckMillis()) {
                    try {
                        var now = ContextFilter.renew(call.request());
                        realtime.authorize(now, call.param("id"), "subscribe");
                        checked = System.currentTimeMillis();
                    } catch (dev.plinth.core.PlinthException denied) {
                        writer.write(() -> sink.emit(SseEvent.builder().name("end").data(Json.MAPPER.createObjectNode().put("reason", "revoked")
                                .put("code", denied.code()).put("detail", denied.getMessage()).toString()).build()));
                        return;
                    }
                }
                if (e != null) {
                    var event = SseEvent.builder().name("message").id(String.valueOf(e.atMillis())).data(e.json()).build();
                    writer.write(() -> sink.emit(event));
                    if (++sent >= maxEvents) {
                        reason = "max_events";
                        break;
                    }
                }
            }
            String why = reason;
            writer.write(() -> sink.emit(SseEvent.builder().name("end").data(Json.MAPPER.createObjectNode().put("reason", why).toString()).build()));
        }
    }

    private static void stopFeeding(AutoCloseable subscription) {
        if (subscription == null) {
            return; // the backlog overflowed during the subscribe itself: the loop ends the stream first thing
        }
        try {
            subscription.close();
        } catch (Exception e) {
            java.util.logging.Logger.getLogger(RealtimeRoutes.class.getName()).fine("closing a slow consumer's subscription: " + e);
        }
    }
}
