package dev.plinth.infra.bootstrap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the local infrastructure's programs are. {@code ./plinth}'s bootstrap exports
 * their paths; the fallbacks cover a test run started by Maven directly.
 *
 * @param firestoreEmulator the {@code cloud_firestore_emulator} launcher
 * @param redisServer       the {@code redis-server} binary
 */
public record InfraTools(Path firestoreEmulator, Path redisServer) {

    public static InfraTools fromEnvironment() {
        Path emulator = fromEnv("PLINTH_FIRESTORE_EMULATOR", List.of(
                "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator",
                "/usr/share/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator",
                "/opt/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator"))
                .orElseThrow(() -> new IllegalStateException(
                        "Firestore emulator not found: set PLINTH_FIRESTORE_EMULATOR or install the Google Cloud CLI "
                                + "component cloud-firestore-emulator (./plinth bootstrap locates it)"));
        Path redis = fromEnv("PLINTH_REDIS_SERVER", List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server"))
                .orElseThrow(() -> new IllegalStateException(
                        "redis-server not found: set PLINTH_REDIS_SERVER or run ./plinth bootstrap (apt-get install redis-server)"));
        return new InfraTools(emulator, redis);
    }

    private static Optional<Path> fromEnv(String variable, List<String> fallbacks) {
        String configured = System.getenv(variable);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(variable + "=" + configured + " is not an executable file");
            }
            return Optional.of(p);
        }
        return fallbacks.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }
}
