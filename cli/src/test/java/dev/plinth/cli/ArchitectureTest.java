package dev.plinth.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.plinth.core.context.RequestContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The principles, enforced on the production classes of every module (this module is the
 * one that has them all on its class path): only bootstrap
 * reads the environment; no in-memory, fake or mock stores exist; decisions come from the
 * engine only; module dependencies point the way DESIGN.md §2 says.
 */
class ArchitectureTest {

    private static JavaClasses production;

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.plinth");
        // Guard against a rule that passes because nothing was imported.
        if (production.size() < 50) {
            throw new IllegalStateException("only " + production.size() + " classes imported");
        }
    }

    @Test
    void onlyBootstrapPackagesReadEnvironmentVariablesOrSystemProperties() {
        noClasses().that().resideOutsideOfPackage("..bootstrap..")
                .should().callMethod(System.class, "getenv", String.class)
                .orShould().callMethod(System.class, "getenv")
                .orShould().callMethod(System.class, "getProperty", String.class)
                .orShould().callMethod(System.class, "getProperty", String.class, String.class)
                .because("only the bootstrap is static configuration; everything else is control-plane data")
                .check(production);
    }

    @Test
    void noProductionClassIsAnInMemoryFakeOrMockStore() {
        noClasses().should().haveSimpleNameStartingWith("InMemory")
                .orShould().haveSimpleNameStartingWith("Fake")
                .orShould().haveSimpleNameStartingWith("Mock")
                .orShould().haveSimpleNameStartingWith("Stub")
                .because("Plinth runs on real infrastructure only")
                .check(production);
    }

    @Test
    void wasmIsEvaluatedOnlyInsideTheEngine() {
        noClasses().that().resideOutsideOfPackage("dev.plinth.engine..")
                .should().dependOnClassesThat().resideInAPackage("com.styra.opa.wasm..")
                .orShould().dependOnClassesThat().resideInAPackage("com.dylibso.chicory..")
                .because("policies are the single place decisions are made, through the engine")
                .check(production);
    }

    @Test
    void handlersNeverCompareTenantsOrRolesThemselves() {
        noClasses().that().resideInAPackage("dev.plinth.api.http..")
                .should().callMethod(RequestContext.class, "tenantId")
                .orShould().callMethod(RequestContext.class, "roles")
                .orShould().callMethod(RequestContext.class, "env")
                .because("context match and authorization are decided by plinth/authz/route")
                .check(production);
    }

    @Test
    void theEngineHasNoNetworkCodeBeyondTheDataGatedNetworkBuiltins() {
        // http.send and net.lookup_ip_addr are the only network I/O, in one class, and only to
        // the hosts data lists (NetworkAccess); URL encoding is not network code.
        noClasses().that().resideInAPackage("dev.plinth.engine..")
                .and().doNotHaveFullyQualifiedName("dev.plinth.engine.builtins.NetworkBuiltins")
                .should().dependOnClassesThat().resideInAnyPackage("java.net.http..", "io.grpc..", "com.google.cloud..",
                        "io.helidon..", "io.lettuce..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.Socket")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.InetAddress")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.URL")
                .because("the engine evaluates policies; it reaches the network only through the data-gated network builtins")
                .check(production);
    }

    @Test
    void coreModulesImportNoHttpTypes() {
        noClasses().that().resideInAnyPackage("dev.plinth.engine..", "dev.plinth.datasync..", "dev.plinth.core..")
                .should().dependOnClassesThat().resideInAPackage("io.helidon..")
                .because("statuses are chosen in one place, in decision-api")
                .check(production);
    }

    @Test
    void lowerModulesDoNotDependOnHigherOnes() {
        noClasses().that().resideInAPackage("dev.plinth.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.plinth.datasync..", "dev.plinth.api..", "dev.plinth.infra..")
                .check(production);
        noClasses().that().resideInAPackage("dev.plinth.datasync..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.plinth.api..", "dev.plinth.infra..")
                .check(production);
        // The library and the server never reach the command line or the local stack's process code.
        noClasses().that().resideInAnyPackage("dev.plinth.core..", "dev.plinth.api..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.plinth.cli..", "dev.plinth.infra..", "picocli..")
                .because("core is the library, decision-api the server; the plinth command and its local stack stand on them (DESIGN.md §2)")
                .check(production);
    }

    @Test
    void secretValuesAreOnlyReadThroughTheResolver() {
        classes().that().haveSimpleNameEndingWith("SecretProvider").and().areNotInterfaces()
                .should().onlyBeAccessed().byClassesThat().resideInAnyPackage("dev.plinth.datasync.secrets..", "dev.plinth.core.library",
                        "dev.plinth.cli..", "dev.plinth.datasync.primitive..")
                .because("code asks the SecretResolver for logical names; providers are wired only at start-up")
                .check(production);
    }
}
