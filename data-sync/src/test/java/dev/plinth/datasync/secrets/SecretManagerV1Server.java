package dev.plinth.datasync.secrets;

import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.protobuf.ByteString;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A local gRPC server implementing Google Secret Manager's v1 {@code AccessSecretVersion}
 * (Secret Manager has no emulator). Versions are numbered from 1; {@code latest} is the
 * newest enabled one. It speaks the real protocol over a real socket, so the provider is
 * tested with the real client library end to end.
 */
final class SecretManagerV1Server implements AutoCloseable {

    private final Map<String, List<String>> versions = new ConcurrentHashMap<>();
    private final Server server;

    SecretManagerV1Server() throws IOException {
        // The v1 method, declared from its protobuf messages (the generated grpc stub
        // artifact is not published for this client version).
        MethodDescriptor<AccessSecretVersionRequest, AccessSecretVersionResponse> access =
                MethodDescriptor.<AccessSecretVersionRequest, AccessSecretVersionResponse>newBuilder()
                        .setType(MethodDescriptor.MethodType.UNARY)
                        .setFullMethodName("google.cloud.secretmanager.v1.SecretManagerService/AccessSecretVersion")
                        .setRequestMarshaller(ProtoUtils.marshaller(AccessSecretVersionRequest.getDefaultInstance()))
                        .setResponseMarshaller(ProtoUtils.marshaller(AccessSecretVersionResponse.getDefaultInstance()))
                        .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerServiceDefinition.builder("google.cloud.secretmanager.v1.SecretManagerService")
                        .addMethod(access, ServerCalls.asyncUnaryCall(this::accessSecretVersion))
                        .build())
                .build()
                .start();
    }

    private void accessSecretVersion(AccessSecretVersionRequest request, StreamObserver<AccessSecretVersionResponse> response) {
        String name = request.getName();
        int at = name.indexOf("/versions/");
        List<String> all = at < 0 ? null : versions.get(name.substring(0, at));
        String version = at < 0 ? "" : name.substring(at + "/versions/".length());
        int index = all == null ? -1 : "latest".equals(version) ? all.size() - 1 : parse(version) - 1;
        if (all == null || index < 0 || index >= all.size()) {
            response.onError(Status.NOT_FOUND.withDescription(name + " not found").asRuntimeException());
            return;
        }
        response.onNext(AccessSecretVersionResponse.newBuilder()
                .setName(name.substring(0, at) + "/versions/" + (index + 1))
                .setPayload(SecretPayload.newBuilder().setData(ByteString.copyFromUtf8(all.get(index))))
                .build());
        response.onCompleted();
    }

    private static int parse(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Adds a new version of {@code projects/<p>/secrets/<s>}. */
    void addVersion(String secret, String value) {
        versions.computeIfAbsent(secret, k -> new ArrayList<>()).add(value);
    }

    String endpoint() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() {
        // Waits until every transport is closed: a call racing an unfinished shutdown was still answered.
        try {
            if (!server.shutdownNow().awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("the Secret Manager test server did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the Secret Manager test server", e);
        }
    }
}
