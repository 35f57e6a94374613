package dev.plinth.datasync.secrets;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Google Secret Manager. A reference is {@code projects/<p>/secrets/<s>} (the latest
 * version) or {@code projects/<p>/secrets/<s>/versions/<v>}. The client is created on first
 * use, with application default credentials — or, when an endpoint is configured (a local
 * server speaking the v1 API), in plaintext without credentials.
 */
public final class GsmSecretProvider implements SecretProvider, AutoCloseable {

    private static final Pattern REFERENCE = Pattern.compile("^projects/[^/]+/secrets/[^/]+(/versions/[^/]+)?$");

    private final String endpoint;
    private volatile SecretManagerServiceClient client;

    /** @param endpoint {@code host:port} of a plaintext Secret Manager v1 server, or null for Google's */
    public GsmSecretProvider(String endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public String name() {
        return "gsm";
    }

    /** Whether a reference has the form this provider reads. */
    public static boolean validReference(String reference) {
        return reference != null && REFERENCE.matcher(reference).matches();
    }

    @Override
    public Optional<SecretValue> read(String reference) {
        if (!validReference(reference)) {
            throw new SecretException(null, "gsm reference '" + reference + "' must be projects/<p>/secrets/<s>[/versions/<v>]");
        }
        String version = reference.contains("/versions/") ? reference : reference + "/versions/latest";
        try {
            return Optional.of(new SecretValue(client().accessSecretVersion(version).getPayload().getData().toByteArray()));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    private SecretManagerServiceClient client() {
        SecretManagerServiceClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = create();
                }
                c = client;
            }
        }
        return c;
    }

    private SecretManagerServiceClient create() {
        try {
            var settings = SecretManagerServiceSettings.newBuilder();
            if (endpoint != null) {
                settings.setCredentialsProvider(NoCredentialsProvider.create())
                        .setTransportChannelProvider(InstantiatingGrpcChannelProvider.newBuilder()
                                .setEndpoint(endpoint)
                                .setChannelConfigurator(b -> b.usePlaintext())
                                .build());
            }
            // A secret read sits on a request's path: give up within seconds (the resolver
            // then serves the last good value) instead of the client's default minute.
            settings.accessSecretVersionSettings().setRetrySettings(
                    settings.accessSecretVersionSettings().getRetrySettings().toBuilder()
                            .setTotalTimeoutDuration(Duration.ofSeconds(5))
                            .setInitialRpcTimeoutDuration(Duration.ofSeconds(2))
                            .setMaxRpcTimeoutDuration(Duration.ofSeconds(2))
                            .setMaxAttempts(3)
                            .build());
            return SecretManagerServiceClient.create(settings.build());
        } catch (IOException e) {
            throw new SecretException(null, "cannot create the Secret Manager client: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
