package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.TestInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in Debian's chromium (headless, driven by Selenium through the system
 * chromedriver) against a real server on the emulator: sign in, create a tenant and a member
 * (a form the API would refuse is refused first), flip a route with its copy and see the
 * matrix change, upload, activate and roll back a bundle, a stale edit refused by If-Match, and
 * a refusal rendered with its problem code for a user who is no admin. Each page's screenshot
 * goes to {@code target/console-screenshots} ({@code -Dplinth.console.screenshots=docs/console}
 * writes the ones docs/console.md shows).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A failing step leaves its screenshot and the page's text behind. */
    @org.junit.jupiter.api.extension.RegisterExtension
    static final org.junit.jupiter.api.extension.TestWatcher ON_FAILURE = new org.junit.jupiter.api.extension.TestWatcher() {
        @Override
        public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
            try {
                String name = "failed-" + context.getRequiredTestMethod().getName();
                shot(name);
                Files.writeString(shots.resolve(name + ".txt"), browser.findElement(By.tagName("body")).getText());
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    };
    private static TestPlinth plinth;
    private static WebDriver browser;
    private static WebDriverWait wait;
    private static String base;
    private static Path shots;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(ConsoleBrowserTest.class);
        base = "http://127.0.0.1:" + plinth.port() + "/console/";
        TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"redis_console\", \"type\": \"redis\", "
                + "\"settings\": {\"host\": \"127.0.0.1\", \"port\": " + TestInfra.shared().redisPort() + "}}"));
        shots = Files.createDirectories(Path.of(System.getProperty("plinth.console.screenshots", "target/console-screenshots")));
        var options = new ChromeOptions().setBinary(Path.of("/usr/bin/chromium").toFile().exists() ? "/usr/bin/chromium" : "chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                        "--disable-gpu", "--no-first-run");
        // The system's chromedriver, named explicitly: Selenium never downloads a browser or a driver.
        var service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (plinth != null) {
            plinth.close();
        }
    }

    @Test
    @Order(1)
    void signInWithATokenAndSeeTheTenants() throws Exception {
        browser.get(base);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertThat(browser.findElements(By.id("dev-signin"))).as("the dev identity provider is enabled in the seed").hasSize(1);
        shot("signin");
        browser.findElement(By.id("token")).sendKeys(TestPlinth.token("u_admin"));
        browser.findElement(By.id("signin")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("me"), "u_admin"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#list-tenants tr[data-id='t_system']")));
        shot("tenants");
    }

    @Test
    @Order(2)
    void createATenantAndAMember() throws Exception {
        open("#/tenants");
        createIn("tenants", "{\"id\": \"Not A Tenant\"}");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".problem.invalid"), "must match"));
        createIn("tenants", "{\"id\": \"t_console\", \"allowed_envs\": [\"dev\"]}");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("main"), "created t_console"));
        open("#/tenant/t_console");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("list-members")));
        createIn("members", "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#list-members tr[data-id='u_admin']")));
        assertThat(plinth.get("/v1/admin/tenants/t_console/members/u_admin", admin()).statusCode()).isEqualTo(200);
        shot("tenant");
    }

    @Test
    @Order(3)
    void flipARouteWithItsCopyAndSeeTheMatrixChange() throws Exception {
        var acme = TestPlinth.with(TestPlinth.as("u_admin", "t_console", "dev"), "X-Min-Revision",
                TestPlinth.revisionOf(plinth.send("PUT", "/v1/admin/tenants/t_console/members/u_admin", admin(),
                        "{\"roles\": [\"owner\"]}")));
        assertThat(plinth.send("PUT", "/v1/resources/feature_flags/dark-mode", acme, "{\"enabled\": true}").statusCode()).isEqualTo(200);
        open("#/matrix");
        WebElement tenant = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("m-tenant")));
        tenant.clear();
        tenant.sendKeys("t_console");
        browser.findElement(By.id("m-load")).click();
        By backend = By.cssSelector("#matrix tr[data-kind='feature_flags'] td.backend");
        wait.until(ExpectedConditions.textToBe(backend, "firestore_default"));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("flip-feature_flags"))).selectByValue("redis_console");
        browser.findElement(By.id("copy-feature_flags")).click();
        browser.findElement(By.id("flip-feature_flags-go")).click();
        wait.until(ExpectedConditions.textToBe(backend, "redis_console"));
        assertThat(browser.findElement(By.cssSelector("#matrix tr[data-kind='feature_flags'] td.scope")).getText()).isEqualTo("tenant");
        assertThat(browser.findElement(By.id("copy-counts")).getText()).contains("copied").contains("1");
        var routed = plinth.get("/v1/routes/feature_flags", acme);
        assertThat(JSON.readTree(routed.body()).at("/backend/id").asText()).as("the API agrees").isEqualTo("redis_console");
        shot("matrix");
    }

    @Test
    @Order(4)
    void uploadActivateAndRollBackABundle() throws Exception {
        Path bundle = Files.createTempFile("console-bundle", ".tar.gz");
        Files.write(bundle, OpaBuild.build("console-1"));
        open("#/policies");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("bundle-name"))).sendKeys("console-1");
        browser.findElement(By.id("bundle-file")).sendKeys(bundle.toString());
        browser.findElement(By.id("upload")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("uploaded")));
        browser.findElement(By.id("activate")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("active"), "console-1"));
        plinth.awaitBundleRevision(JSON.readTree(plinth.get("/v1/policies/active", admin()).body()).path("revision").asText());
        shot("policies");
        browser.findElement(By.id("rollback")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("active"), "\"previous_name\": \"console-1\""));
        assertThat(browser.findElement(By.id("active")).getText()).contains("\"name\": null");
        assertThat(JSON.readTree(plinth.get("/v1/policies/active", admin()).body()).path("name").isNull())
                .as("rolled back to the built-in bundle").isTrue();
    }

    @Test
    @Order(5)
    void aStaleEditIsRefusedByIfMatch() throws Exception {
        open("#/tenant/t_console");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("edit")));
        // Another operator changes the tenant after this page read it.
        TestPlinth.revisionOf(plinth.send("PUT", "/v1/admin/tenants/t_console", admin(),
                "{\"allowed_envs\": [\"dev\", \"prod\"]}"));
        browser.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#item-result .problem .code"), "PRECONDITION_FAILED"));
    }

    @Test
    @Order(6)
    void healthAndThePlayground() throws Exception {
        open("#/health");
        wait.until(ExpectedConditions.textToBe(By.id("health-status"), "UP"));
        assertThat(browser.findElements(By.cssSelector("#listeners tr"))).hasSizeGreaterThan(5);
        shot("health");
        open("#/playground");
        WebElement tenant = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("p-tenant")));
        tenant.clear();
        tenant.sendKeys("t_console");
        browser.findElement(By.id("p-go")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("p-context"), "\"tenant_id\": \"t_console\""));
        shot("playground");
    }

    @Test
    @Order(7)
    void aUserWhoIsNoAdminSeesTheRefusalWithItsCode() throws Exception {
        browser.findElement(By.id("signout")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(TestPlinth.token("u_nobody"));
        browser.findElement(By.id("signin")).click();
        String expected = JSON.readTree(plinth.get("/v1/admin/tenants?page_size=20", TestPlinth.as("u_nobody", "t_system", "dev"))
                .body()).path("code").asText();
        assertThat(expected).isNotBlank();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("main .problem .code"), expected));
        assertThat(browser.findElements(By.cssSelector("#list-tenants tr[data-id]"))).as("nothing listed").isEmpty();
        shot("refusal");
    }

    private static void open(String hash) {
        browser.get(base + hash);
    }

    private static void createIn(String collection, String body) {
        WebElement form = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("create-" + collection)));
        WebElement details = form.findElement(By.xpath("./ancestor::details"));
        if (details.getAttribute("open") == null) {
            details.findElement(By.tagName("summary")).click();
        }
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1]", form, body);
        browser.findElement(By.id("create-" + collection + "-go")).click();
    }

    private static void shot(String name) throws Exception {
        byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(shots.resolve(name + ".png"), png);
    }
}
