package dev.plinth.api.http;

import dev.plinth.api.context.ProblemException;
import dev.plinth.api.realtime.RealtimeService;
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
 * An open stream re-checks the ACL every second and ends with a {@code revoked} event when
 * the subscriber lost access (messages within that second may still be delivered).
 */
final class RealtimeRoutes {

    private static final long ACL_RECHECK_MS = 1_000;

    private final RealtimeService realtime;

    RealtimeRoutes(RealtimeService realtime) {
        this.realtime = realtime;
    }

    List<RouteSpec> routes() {
        String thread = "/v1/realtime/threads/{id}";
        return List.of(
                new RouteSpec(Method.PUT, thread, null, "write", false, null, "Create or replace a thread's ACL (readers, writers)",
                        "{\"readers\": [\"u_example\"], \"writers\": [\"u_admin\"]}", this::put),
                new RouteSpec(Method.GET, thread, null, "read", false, null, "Read a thread's ACL", null, this::get),
                new RouteSpec(Method.POST, thread + "/messages", null, "write", false, null,
                        "Publish a message to a thread (writers only)", "{\"message\": {\"text\": \"hi\"}}", this::publish),
                new RouteSpec(Method.GET, thread + "/events", null, "read", false, null,
                        "Follow a thread as Server-Sent Events (readers and writers)", null, this::events)
                        .with(RouteSpec.Param.query("from_ms", "integer", "replay the history from this time on (epoch ms; default 0: from the beginning), then follow"),
                                RouteSpec.Param.query("max_events", "integer", "end the stream after this many events"),
                                RouteSpec.Param.query("max_ms", "integer", "end the stream after this many milliseconds (default one hour)")));
    }

    private void put(RouteSpec.Call call, ServerResponse res) {
        JsonResponses.send(res, 200, realtime.putThread(call.context(), call.param("id"), call.body()));
    }

    private void get(RouteSpec.Call call, ServerResponse res) {
        JsonResponses.send(res, 200, realtime.authorize(call.context(), call.param("id"), "subscribe"));
    }

    private void publish(RouteSpec.Call call, ServerResponse res) {
        var placement = realtime.publish(call.context(), call.param("id"), call.body() == null ? null : call.body().get("message"));
        JsonResponses.send(res, 200, Json.MAPPER.createObjectNode().put("published", true).put("backend", placement.backendId()));
    }

    private void events(RouteSpec.Call call, ServerResponse res) throws Exception {
        long from = call.longQuery("from_ms", 0);
        long maxEvents = call.longQuery("max_events", Long.MAX_VALUE);
        long deadline = System.currentTimeMillis() + call.longQuery("max_ms", 3_600_000);
        var queue = new LinkedBlockingQueue<ResourceStore.Event>();
        // Authorized (and routed) before the first byte, so a refusal is still a problem response.
        try (AutoCloseable subscription = realtime.subscribe(call.context(), call.param("id"), from, queue::add);
             SseSink sink = res.sink(SseSink.TYPE)) {
            long sent = 0;
            long checked = System.currentTimeMillis();
            while (sent < maxEvents && System.currentTimeMillis() < deadline) {
                ResourceStore.Event e = queue.poll(Math.min(ACL_RECHECK_MS, Math.max(1, deadline - System.currentTimeMillis())),
                        TimeUnit.MILLISECONDS);
                // Once a second, not per message: a busy thread must not cost a registry read per event.
                if (System.currentTimeMillis() - checked >= ACL_RECHECK_MS) {
                    try {
                        realtime.authorize(call.context(), call.param("id"), "subscribe");
                        checked = System.currentTimeMillis();
                    } catch (ProblemException denied) {
                        sink.emit(SseEvent.builder().name("revoked").data(denied.getMessage()).build());
                        return;
                    }
                }
                if (e != null) {
                    sink.emit(SseEvent.builder().name("message").id(String.valueOf(e.atMillis())).data(e.json()).build());
                    sent++;
                }
            }
        }
    }
}
