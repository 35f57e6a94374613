package dev.plinth.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.function.UnaryOperator;

/** Builds bundles of the project's policies (changed as a test needs) with the pinned OPA CLI. */
final class OpaBuild {

    private OpaBuild() {}

    /** Builds the project's policies with the pinned OPA CLI, with extra flags (e.g. signing). */
    static byte[] build(String revision, String... flags) throws Exception {
        return build(revision, UnaryOperator.identity(), flags);
    }

    /** Builds the project's policies, each source changed by {@code change}, with the pinned OPA CLI. */
    static byte[] build(String revision, UnaryOperator<String> change, String... flags) throws Exception {
        var dir = Files.createTempDirectory("plinth-opa-build");
        var rego = java.nio.file.Path.of(System.getProperty("plinth.rego.dir"));
        try (var walk = Files.walk(rego)) {
            for (var p : walk.toList()) {
                var target = dir.resolve("plinth").resolve(rego.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.toString().endsWith("_test.rego")) {
                    Files.writeString(target, change.apply(Files.readString(p)));
                }
            }
        }
        var cmd = new java.util.ArrayList<>(java.util.List.of(System.getProperty("plinth.opa.bin"), "build", "--v1-compatible", "-t", "wasm",
                "-e", "plinth/authz/decision", "-e", "plinth/authz/route", "-e", "plinth/routing/backend", "-e", "plinth/realtime/acl",
                "--revision", revision, "-o", "out.tar.gz"));
        cmd.addAll(java.util.List.of(flags));
        if (flags.length > 0) {
            cmd.add("--bundle"); // signing needs bundle mode
        }
        cmd.add("plinth");
        var build = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(build.getInputStream().readAllBytes());
        assertThat(build.waitFor()).as(log).isZero();
        return Files.readAllBytes(dir.resolve("out.tar.gz"));
    }

}
