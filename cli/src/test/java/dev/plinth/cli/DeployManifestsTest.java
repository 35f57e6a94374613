package dev.plinth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/}'s manifests are checked, not just written: kubeconform validates each one,
 * strictly (no unknown field), against the Kubernetes {@code v1.35} schemas kept in
 * {@code deploy/schemas} (and the Cloud Run service schema written there), never downloading
 * one; a broken copy is refused, so the check can fail; and what the manifests say of Plinth
 * is what Plinth is: the probes' paths and the port are the server's, every {@code PLINTH_*}
 * variable they set is one the configuration documents.
 */
class DeployManifestsTest {

    private static final Path ROOT = Path.of(System.getProperty("plinth.root", "..")).toAbsolutePath().normalize();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyManifestIsValidAgainstTheKeptSchemas() throws Exception {
        List<Path> manifests = manifests();
        assertThat(manifests.stream().map(p -> DEPLOY.relativize(p).toString()))
                .contains("kubernetes/deployment.yaml", "kubernetes/service.yaml", "kubernetes/pdb.yaml", "kubernetes/hpa.yaml",
                        "cloudrun/service.yaml");
        var result = kubeconform(manifests);
        assertThat(result.code()).as(result.out()).isZero();
        JsonNode summary = JSON.readTree(result.out()).path("summary");
        assertThat(summary.path("valid").asInt()).as(result.out()).isEqualTo(manifests.size());
        assertThat(summary.path("skipped").asInt()).as("every kind has a schema").isZero();
    }

    @Test
    void aBrokenManifestIsRefused() throws Exception {
        String deployment = Files.readString(DEPLOY.resolve("kubernetes/deployment.yaml"));
        Path dir = Files.createTempDirectory("plinth-manifests");
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, deployment.replace("readinessProbe:", "readinessprobe:"));
        Path wrongType = dir.resolve("wrong-type.yaml");
        Files.writeString(wrongType, deployment.replace("replicas: 3", "replicas: three"));
        Path cloudRun = dir.resolve("cloudrun.yaml");
        Files.writeString(cloudRun, Files.readString(DEPLOY.resolve("cloudrun/service.yaml"))
                .replace("containerConcurrency: 200", "containerConcurrency: 5000"));
        var result = kubeconform(List.of(typo, wrongType, cloudRun));
        assertThat(result.code()).isNotZero();
        JsonNode out = JSON.readTree(result.out());
        assertThat(out.path("summary").path("invalid").asInt()).as(result.out()).isEqualTo(3);
        assertThat(result.out()).contains("readinessprobe").contains("replicas").contains("containerConcurrency");
    }

    @Test
    void theManifestsSayWhatPlinthIs() throws Exception {
        String k8s = Files.readString(DEPLOY.resolve("kubernetes/deployment.yaml"));
        String run = Files.readString(DEPLOY.resolve("cloudrun/service.yaml"));
        String containerfile = Files.readString(DEPLOY.resolve("image/Containerfile"));
        assertThat(k8s).contains("readinessProbe:\n            httpGet: {path: /health/ready")
                .contains("livenessProbe:\n            httpGet: {path: /health/live");
        assertThat(containerfile).contains("PLINTH_PORT=8181").contains("USER 10001:10001");
        assertThat(k8s).contains("containerPort: 8181").contains("runAsUser: 10001");
        assertThat(run).contains("containerPort: 8181");
        String configuration = Files.readString(ROOT.resolve("docs/configuration.md"));
        for (String text : List.of(k8s, run, containerfile)) {
            Matcher m = Pattern.compile("PLINTH_[A-Z_]+").matcher(text);
            while (m.find()) {
                assertThat(configuration).as(m.group() + " is documented in docs/configuration.md").contains("`" + m.group() + "`");
            }
        }
    }

    private static List<Path> manifests() throws Exception {
        var out = new ArrayList<Path>();
        for (String dir : List.of("kubernetes", "cloudrun")) {
            try (Stream<Path> files = Files.list(DEPLOY.resolve(dir))) {
                files.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    private record Result(int code, String out) {}

    private static Result kubeconform(List<Path> files) throws Exception {
        String bin = System.getProperty("plinth.kubeconform.bin", "kubeconform");
        var cmd = new ArrayList<>(List.of(bin, "-strict", "-summary", "-output", "json", "-schema-location",
                DEPLOY.resolve("schemas/v1.35.0-standalone-strict").toString() + "/{{.ResourceKind}}{{.KindSuffix}}.json"));
        files.forEach(f -> cmd.add(f.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
