package dev.plinth.bench;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.rpc.FixedHeaderProvider;
import com.google.api.gax.rpc.ResponseObserver;
import com.google.api.gax.rpc.StreamController;
import com.google.cloud.firestore.v1.FirestoreClient;
import com.google.cloud.firestore.v1.FirestoreSettings;
import com.google.firestore.v1.ListenRequest;
import com.google.firestore.v1.ListenResponse;
import com.google.firestore.v1.StructuredQuery;
import com.google.firestore.v1.Target;
import com.google.firestore.v1.TargetChange;
import dev.plinth.datasync.ControlPlane;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the emulator itself needs to serve a replica's cold start: the same listen queries
 * Plinth opens (one per {@link dev.plinth.datasync.primitive.Kind}), answered to a client that only
 * counts what arrives. Run as a child JVM by {@link ColdStart}; prints the seconds from
 * JVM start until every query has been served in full (each target {@code CURRENT}, then
 * the global {@code NO_CHANGE} that marks a consistent point).
 */
final class EmulatorFloor {
    private EmulatorFloor() {}

    static double measure(String project, String host) throws Exception {
        String database = "projects/" + project + "/databases/(default)";
        var settings = FirestoreSettings.newBuilder()
                .setTransportChannelProvider(FirestoreSettings.defaultGrpcTransportProviderBuilder().setEndpoint(host)
                        // As light as the client can be (as the replica's listen channel): messages
                        // are counted on the transport thread, and the emulator is never held back.
                        .setChannelConfigurator(b -> ((NettyChannelBuilder) b.usePlaintext()).directExecutor()
                                .flowControlWindow(64 << 20)).build())
                .setCredentialsProvider(NoCredentialsProvider.create())
                .setHeaderProvider(FixedHeaderProvider.create("authorization", "Bearer owner", "google-cloud-resource-prefix", database))
                .build();
        long start = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        try (FirestoreClient client = FirestoreClient.create(settings)) {
            var served = new CountDownLatch(dev.plinth.datasync.primitive.Kind.values().length);
            for (dev.plinth.datasync.primitive.Kind source : dev.plinth.datasync.primitive.Kind.values()) {
                var query = StructuredQuery.newBuilder().addFrom(StructuredQuery.CollectionSelector.newBuilder()
                        .setCollectionId(source.collection()).setAllDescendants(source.collectionGroup()));
                var stream = client.listenCallable().splitCall(new ResponseObserver<ListenResponse>() {
                    private boolean current;
                    private boolean done;
                    private long documents;

                    @Override
                    public void onStart(StreamController controller) {}

                    @Override
                    public void onResponse(ListenResponse r) {
                        if (r.hasDocumentChange()) {
                            documents++;
                        }
                        if (!r.hasTargetChange() || done) {
                            return;
                        }
                        TargetChange change = r.getTargetChange();
                        if (change.getTargetChangeType() == TargetChange.TargetChangeType.CURRENT) {
                            current = true;
                        } else if (current && change.getTargetChangeType() == TargetChange.TargetChangeType.NO_CHANGE
                                && change.getTargetIdsCount() == 0) {
                            done = true;
                            // The replica's log line, so the two can be read side by side.
                            System.out.printf("floor: listener %s live: %,d documents (%.1f s after JVM start)%n",
                                    source.collection(), documents, (System.currentTimeMillis() - start) / 1e3);
                            served.countDown();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        System.err.println("listen " + source.collection() + " failed: " + t);
                    }

                    @Override
                    public void onComplete() {}
                });
                stream.send(ListenRequest.newBuilder().setDatabase(database).setAddTarget(Target.newBuilder().setTargetId(1)
                        .setQuery(Target.QueryTarget.newBuilder().setParent(database + "/documents").setStructuredQuery(query))).build());
            }
            if (!served.await(15, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the emulator did not serve every query within 15 minutes");
            }
            return (System.currentTimeMillis() - start) / 1e3;
        }
    }
}
