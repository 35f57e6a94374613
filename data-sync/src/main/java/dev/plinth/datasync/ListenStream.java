package dev.plinth.datasync;

import com.google.api.gax.grpc.GrpcCallSettings;
import com.google.api.gax.grpc.GrpcCallableFactory;
import com.google.api.gax.rpc.BidiStreamingCallable;
import com.google.api.gax.rpc.ClientContext;
import com.google.api.gax.rpc.StreamingCallSettings;
import com.google.api.gax.rpc.ClientStream;
import com.google.api.gax.rpc.ResponseObserver;
import com.google.api.gax.rpc.StreamController;
import com.google.firestore.v1.ListenRequest;
import com.google.firestore.v1.ListenResponse;
import com.google.firestore.v1.StructuredQuery;
import com.google.firestore.v1.Target;
import com.google.firestore.v1.TargetChange;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * One Firestore query listened to through Firestore's Listen protocol, spoken directly.
 *
 * <p>Design note. The Java client's snapshot listener keeps its own full copy of every
 * listened document (protobuf values, ~1.9 KB each) to compute changes, and sorts the whole
 * result on the listener thread: at 1,000,000 memberships that is gigabytes of heap and a
 * first snapshot after minutes. Plinth keeps its own parsed records anyway, so this stream
 * parses each document as it arrives and keeps nothing but the pending changes until the
 * server marks a consistent point (a global {@code NO_CHANGE} carrying a read time once the
 * target is {@code CURRENT}); then the changes are handed over as one {@link Batch}.
 *
 * <p>Responses arrive as bytes: a document change is read straight into plain values by
 * {@link ListenWire} (the generated parser allocated 3.4 KB per document at a cold start
 * of two million), anything else through the generated {@code ListenResponse}.
 *
 * <p>A subscription starts from scratch (its first batch is the full result and replaces
 * the collection, so documents deleted while no stream was open disappear), or resumes from
 * the resume token of an earlier stream: then the first batch holds only the changes since,
 * applied on top of what the handler already has, and carries the server's existence-filter
 * count when it sent one, so the handler can check that no deletion was missed. A server
 * {@code RESET} makes the next batch full again: the emulator resets every resumed target
 * and re-sends the whole result (measured), which is correct, only not faster. A document
 * the parser refuses counts as gone (fail closed).
 *
 * <p>Thread-safety: responses arrive on one gRPC thread at a time; the end is reported
 * once, whichever thread sees it first; {@link #close} may be called from any thread.
 */
final class ListenStream {

    private static final Logger LOG = Logger.getLogger(ListenStream.class.getName());
    private static final int TARGET_ID = 1;
    /** A full result this large is reported as it arrives, so a long cold start is never silent. */
    private static final int PROGRESS_EVERY = 250_000;

    /** The value of a key in {@link Batch#changes} whose document is gone. */
    static final Object REMOVED = new Object() {
        @Override
        public String toString() {
            return "REMOVED";
        }
    };

    /**
     * Changes up to one consistent read time.
     *
     * @param full     the changes are the whole result and replace what the handler holds
     *                 (then no value is {@link #REMOVED}: the map is the result itself)
     * @param changes  record key → the parsed record, or {@link #REMOVED} when the document is gone;
     *                 handed over: the stream never touches this table again, so a full
     *                 result can become a snapshot's map without a copy
     * @param readTime the server's read time the changes are consistent at
     */
    record Batch(boolean full, HashMap<String, Object> changes, Timestamp readTime, byte[] resumeToken, long expectedCount) {
        /** No existence filter was received for this batch. */
        static final long NO_COUNT = -1;
    }

    /** Receives a stream's batches and its end, on the stream's gRPC thread. */
    interface Handler {
        void batch(Batch batch);

        /** The stream ended (error, server close or {@code REMOVE}); it will not call again. */
        void ended(Throwable cause);
    }

    /** Parses one document into a record key and a record (null to skip it, e.g. malformed); called on the stream's thread only. */
    interface Parser {
        String key(String documentPath);

        /**
         * @param key    what {@link #key} answered for this path
         * @param fields the document's fields as plain values ({@link ListenWire}); null when they cannot be read
         */
        Object parse(String documentPath, String key, Map<String, Object> fields);
    }

    /**
     * The Listen RPC through gax (its credentials, headers and channel), answering each
     * response's bytes rather than a generated {@code ListenResponse}: {@link ListenWire}
     * reads document changes from the bytes directly.
     */
    static BidiStreamingCallable<ListenRequest, byte[]> callable(ClientContext context) {
        MethodDescriptor<ListenRequest, byte[]> method = MethodDescriptor.<ListenRequest, byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("google.firestore.v1.Firestore", "Listen"))
                .setRequestMarshaller(ProtoUtils.marshaller(ListenRequest.getDefaultInstance()))
                .setResponseMarshaller(new MethodDescriptor.Marshaller<>() {
                    @Override
                    public InputStream stream(byte[] value) {
                        return new ByteArrayInputStream(value);
                    }

                    @Override
                    public byte[] parse(InputStream stream) {
                        try {
                            // gRPC's message streams know their length; readAllBytes would
                            // allocate a 16 KiB buffer per ~200-byte message.
                            if (stream instanceof KnownLength) {
                                byte[] message = stream.readNBytes(stream.available());
                                if (stream.read() < 0) {
                                    return message;
                                }
                                throw new IOException("the message is longer than its stated length");
                            }
                            return stream.readAllBytes();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                })
                .build();
        return GrpcCallableFactory.createBidiStreamingCallable(
                GrpcCallSettings.<ListenRequest, byte[]>newBuilder().setMethodDescriptor(method)
                        // The routing header the generated stub sends too.
                        .setParamsExtractor(request -> Map.of("database", request.getDatabase()))
                        .build(),
                StreamingCallSettings.<ListenRequest, byte[]>newBuilder().build(), context);
    }

    private final BidiStreamingCallable<ListenRequest, byte[]> listen;
    private final String database;
    private final StructuredQuery query;
    private final Parser parser;
    private final Handler handler;
    private final String documentsPrefix;
    private final com.google.protobuf.ByteString resumeToken;

    /** The changes since the last batch; while {@code full}, the result so far (no {@link #REMOVED} values). */
    private HashMap<String, Object> pending = new HashMap<>();
    private boolean full;
    private boolean current;
    /** Whether a batch was handed over: a resumed stream's first one is handed over even when nothing changed. */
    private boolean delivered;
    private long expectedCount = Batch.NO_COUNT;
    private volatile boolean closed;
    private volatile StreamController controller;
    private long startedAt;

    ListenStream(BidiStreamingCallable<ListenRequest, byte[]> listen, String database, StructuredQuery query,
                 Parser parser, Handler handler) {
        this(listen, database, query, parser, handler, null);
    }

    /** @param resumeToken where an earlier stream of this query stopped, or null (or empty) to start from scratch */
    ListenStream(BidiStreamingCallable<ListenRequest, byte[]> listen, String database, StructuredQuery query,
                 Parser parser, Handler handler, byte[] resumeToken) {
        this.resumeToken = resumeToken == null || resumeToken.length == 0 ? null : com.google.protobuf.ByteString.copyFrom(resumeToken);
        this.full = this.resumeToken == null;
        this.listen = listen;
        this.database = database;
        this.query = query;
        this.parser = parser;
        this.handler = handler;
        this.documentsPrefix = database + "/documents/";
    }

    /** Opens the stream; returns at once. */
    ListenStream start() {
        startedAt = System.nanoTime();
        var observer = new Observer();
        if (closed) {
            return this;
        }
        try {
            // Closed while starting: onStart cancels the call, and gax then refuses to start it.
            ClientStream<ListenRequest> requests = listen.splitCall(observer);
            var target = Target.newBuilder().setTargetId(TARGET_ID)
                    .setQuery(Target.QueryTarget.newBuilder().setParent(database + "/documents").setStructuredQuery(query));
            if (resumeToken != null) {
                target.setResumeToken(resumeToken);
            }
            requests.send(ListenRequest.newBuilder().setDatabase(database).setAddTarget(target).build());
        } catch (IllegalStateException e) {
            // The call failed before the request went out (Firestore unreachable, or the channel
            // shut down): end the stream like any other failure, so the handler retries it
            // (a closed stream reports nothing).
            observer.end(e);
        }
        return this;
    }

    /** Cancels the stream; the handler is not called again. */
    void close() {
        closed = true;
        StreamController c = controller;
        if (c != null) {
            c.cancel();
        }
    }

    private final class Observer implements ResponseObserver<byte[]> {
        private final AtomicBoolean ended = new AtomicBoolean();

        @Override
        public void onStart(StreamController c) {
            controller = c;
            if (closed) {
                c.cancel();
            }
        }

        @Override
        public void onResponse(byte[] message) {
            if (closed || ended.get()) {
                return;
            }
            ListenWire.Change direct = ListenWire.documentChange(message);
            if (direct != null) {
                documentChange(direct);
                return;
            }
            ListenResponse response;
            try {
                response = ListenResponse.parseFrom(message);
            } catch (InvalidProtocolBufferException e) {
                end(e);
                return;
            }
            switch (response.getResponseTypeCase()) {
                case TARGET_CHANGE -> targetChange(response.getTargetChange());
                case DOCUMENT_CHANGE -> {
                    var change = response.getDocumentChange();
                    documentChange(new ListenWire.Change(change.getDocument().getName(), ListenWire.plainFields(change.getDocument()),
                            change.getTargetIdsList(), change.getRemovedTargetIdsList()));
                }
                case DOCUMENT_DELETE -> removed(parser.key(relative(response.getDocumentDelete().getDocument())));
                case DOCUMENT_REMOVE -> removed(parser.key(relative(response.getDocumentRemove().getDocument())));
                // An existence filter: how many documents match, for a resumed stream to check.
                case FILTER -> {
                    if (response.getFilter().getTargetId() == TARGET_ID) {
                        expectedCount = response.getFilter().getCount();
                    }
                }
                default -> { }
            }
        }

        private void documentChange(ListenWire.Change change) {
            String path = relative(change.name());
            String key = parser.key(path);
            if (change.targetIds().contains(TARGET_ID)) {
                Object parsed = parser.parse(path, key, change.fields());
                if (parsed != null) {
                    pending.put(key, parsed);
                } else {
                    // Fail closed: a document that became malformed stops counting
                    // (a membership must not keep its old roles).
                    removed(key);
                }
                if (full && !pending.isEmpty() && pending.size() % PROGRESS_EVERY == 0) {
                    LOG.info(String.format("%s: %,d documents received (%.0f s)", query.getFrom(0).getCollectionId(),
                            pending.size(), (System.nanoTime() - startedAt) / 1e9));
                }
            } else if (change.removedTargetIds().contains(TARGET_ID)) {
                removed(key);
            }
        }

        private void targetChange(TargetChange change) {
            switch (change.getTargetChangeType()) {
                case CURRENT -> current = true;
                case RESET -> {
                    pending = new HashMap<>();
                    full = true;
                    current = false;
                    expectedCount = Batch.NO_COUNT;
                }
                case REMOVE -> end(new IllegalStateException("the server removed the listen target: "
                        + change.getCause().getMessage() + " (code " + change.getCause().getCode() + ")"));
                case NO_CHANGE -> {
                    if (change.getTargetIdsCount() == 0 && change.hasReadTime() && current && (full || !pending.isEmpty() || !delivered)) {
                        var batch = new Batch(full, pending, change.getReadTime(), change.getResumeToken().toByteArray(), expectedCount);
                        pending = new HashMap<>();
                        full = false;
                        delivered = true;
                        expectedCount = Batch.NO_COUNT;
                        handler.batch(batch);
                    }
                }
                default -> { }
            }
        }

        private void removed(String key) {
            if (full) {
                pending.remove(key);
            } else {
                pending.put(key, REMOVED);
            }
        }

        @Override
        public void onError(Throwable t) {
            end(t);
        }

        @Override
        public void onComplete() {
            end(new IllegalStateException("the server closed the listen stream"));
        }

        private void end(Throwable cause) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            StreamController c = controller;
            if (c != null) {
                c.cancel();
            }
            if (!closed) {
                handler.ended(cause);
            }
        }
    }

    private String relative(String name) {
        return name.startsWith(documentsPrefix) ? name.substring(documentsPrefix.length()) : name;
    }

    /** The query of every document of a collection, or of every collection with that id (a collection group). */
    static StructuredQuery collection(String collectionId, boolean group) {
        return StructuredQuery.newBuilder()
                .addFrom(StructuredQuery.CollectionSelector.newBuilder().setCollectionId(collectionId).setAllDescendants(group))
                .build();
    }
}
