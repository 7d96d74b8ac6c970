package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.Awaits;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

/**
 * The console in a real browser (Debian's headless Chromium through its chromedriver) against the
 * running platform, as an on-call engineer uses it: sign in (a wrong token first), create a policy
 * (and see the control plane's validation error beside its field first), a breach pushed through the
 * gateway appears in Firing now, its detail shows the chart drawn, the timeline and the explain
 * trail, a silence made from it mutes it, sign out. Each step leaves a screenshot in
 * {@code target/console-screenshots}; the operator token never appears in a page, a URL or the
 * console's log.
 */
@ResourceLock(value = Platform.ALL_SERVICES_UP, mode = ResourceAccessMode.READ)
class ConsoleBrowserIT {

  private static final String TENANT = "ui1";
  private static final String NAMESPACE = "ui/vm";
  private static final Duration ALERT_WAIT = Duration.ofSeconds(180);
  private static final Path SHOTS = Path.of("target", "console-screenshots");

  private static Platform platform;
  private static WebhookSink sink;
  private static Onboarded product;
  private static String token;
  private static String hook;
  private static ChromeDriver browser;
  private static ScheduledExecutorService pusher;
  private static final Map<String, Double> values = new ConcurrentHashMap<>();
  private static int step;

  @BeforeAll
  static void platformProductAndBrowser() throws IOException {
    platform = Platform.shared();
    Caller admin = Onboarded.admin(platform);
    sink = new WebhookSink();
    product = Onboarded.register(platform, "ui", NAMESPACE, """
        {"name": "%s", "requiredDimensions": ["instance"], "metrics": [{"name": "cpu", "unit": "percent"}],
         "graceMs": 1000}""".formatted(NAMESPACE), "cpu", Map.of("appid", TENANT, "instance", "ui-quiet"), 10.0);
    hook = Onboarded.webhook(admin, TENANT, "ui-ops", sink);
    token = admin.create("/v1/tokens", """
        {"name": "ui-operator", "role": "OPERATOR", "tenants": ["%s"]}""".formatted(TENANT)).path("token").asString();
    assertThat(token).isNotBlank();

    // the hot instance breaches from the start: the first minute to close after the policy is held
    // fires it (switched after the policy, it waited a minute more, its first minute half cool)
    values.put("ui-hot", 97.0);
    values.put("ui-quiet", 10.0);
    pusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ui-pusher");
      t.setDaemon(true);
      return t;
    });
    pusher.scheduleAtFixedRate(() -> {
      try {
        Map<Map<String, String>, Double> points = new java.util.HashMap<>();
        values.forEach((instance, v) -> points.put(Map.of("appid", TENANT, "instance", instance), v));
        product.push("cpu", points);
      } catch (RuntimeException e) {
        // the next second tries again; the test's waits say what was missed
      }
    }, 0, 1, TimeUnit.SECONDS);

    Files.createDirectories(SHOTS);
    Path profile = Files.createTempDirectory("vigil-chromium-");
    ChromeOptions options = new ChromeOptions();
    org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
    logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    options.setBinary(new File("/usr/bin/chromium"));
    // the flags this machine's closed network needs (no background connections, no sandbox as root)
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1360,1800", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterAll
  static void close() {
    if (browser != null) {
      browser.quit();
    }
    if (pusher != null) {
      pusher.shutdownNow();
    }
    if (sink != null) {
      sink.close();
    }
  }

  @Test
  void anOnCallEngineersNight() throws IOException {
    try {
      night();
    } catch (AssertionError | RuntimeException e) {
      // what the browser showed when it failed: a screenshot, the page and the browser's console
      shot("failed");
      Files.writeString(SHOTS.resolve("failed-page.html"), browser.getPageSource());
      StringBuilder log = new StringBuilder();
      browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)
          .forEach(entry -> log.append(entry).append('\n'));
      Files.writeString(SHOTS.resolve("failed-console.log"), log);
      throw e;
    }
  }

  private void night() {
    // signing in: a wrong token is refused, the right one lands on Firing now
    open("/");
    assertThat(browser.getCurrentUrl()).endsWith("/sign-in");
    type("token", "not-a-token-of-ours");
    click("sign-in");
    assertThat(text("sign-in-error")).contains("not valid");
    shot("sign-in-refused");
    type("token", token);
    click("sign-in");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Firing now");
    assertThat(text("who")).contains("ui-operator").contains(TENANT);
    shot("firing-now-calm");

    // a policy: the control plane refuses it without a threshold, beside the condition's row
    open("/policies/new?tenant=" + TENANT);
    new Select(browser.findElement(By.id("choose-namespace"))).selectByValue(NAMESPACE);
    click("use-namespace");
    type(By.name("name"), "ui cpu high");
    type(By.name("conditions[0].metric"), "cpu");
    new Select(browser.findElement(By.name("conditions[0].period"))).selectByValue("60");
    type(By.name("filters[0].field"), "instance");
    new Select(browser.findElement(By.name("filters[0].function"))).selectByValue("Regex");
    type(By.name("filters[0].args"), "ui-.*");
    type(By.name("webhooks"), hook);
    type(By.name("summary"), "CPU above 90% on a UI host");
    type(By.name("groupWaitSec"), "0");
    click("save-policy");
    assertThat(text("form-errors")).contains("conditions[0].threshold");
    shot("policy-refused");
    type(By.name("conditions[0].threshold"), "90");
    click("save-policy");
    assertThat(text("notice")).contains("Created policy ui cpu high");
    shot("policy-created");

    // the breach pushed through the gateway shows in Firing now (its rows refresh by themselves)
    open("/?tenant=" + TENANT);
    Awaits.until("the breach in Firing now", ALERT_WAIT, () -> {
      if (browser.findElements(By.cssSelector("tr.alert-row a.detail")).isEmpty()) {
        open("/?tenant=" + TENANT);
        return false;
      }
      return true;
    });
    WebElement row = browser.findElement(By.cssSelector("tr.alert-row"));
    // the detector's own summary of the breach (the policy's annotation is for the notifier's messages)
    assertThat(row.getText()).contains("cpu avg").contains("GT 90").contains("instance=ui-hot").contains("WARNING");
    shot("firing-now-breach");

    // its detail: the chart drawn by the browser, the timeline, the explain trail
    row.findElement(By.cssSelector("a.detail")).click();
    Awaits.until("the chart drawn", Duration.ofSeconds(20),
        () -> !browser.findElements(By.cssSelector("#chart[data-drawn]")).isEmpty());
    String detail = browser.getCurrentUrl();
    // the timeline is storage's alert history: the FIRING may be indexed a moment after the detector
    // published it (a CI run of 73120ee opened the page first), so it is awaited like the chart
    Awaits.until("the FIRING in the timeline", Duration.ofSeconds(60), () -> {
      if (!browser.findElements(By.id("timeline-part")).isEmpty() && text("timeline-part").contains("FIRING")) {
        return true;
      }
      browser.navigate().to(detail);
      return false;
    });
    Awaits.until("the notifier's explain trail", Duration.ofSeconds(90), () -> {
      if (browser.findElements(By.id("explain")).isEmpty()) {
        browser.navigate().to(detail);
        return false;
      }
      return true;
    });
    assertThat(text("explain")).contains("SENT");
    // the checks are the detector's, from the memory of the instance that holds the series' partition; the
    // console asks the first detector, and the fault test runs a second one beside this class for a while
    // (and crashes it), so the checks may show only once the first holds the partition again
    Awaits.until("the detector's checks of the breach", Duration.ofSeconds(150), () -> {
      if (!browser.findElements(By.id("checks-part")).isEmpty() && text("checks-part").contains("yes")) {
        return true;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000_000L); // a page load a second, not five
      browser.navigate().to(detail);
      return false;
    });
    shot("alert-detail");

    // silence it from the alert (matchers prefilled), then Firing now shows it muted
    click("silence");
    assertThat(browser.findElements(By.cssSelector("input[name=value]")).stream().map(e -> e.getAttribute("value"))
        .toList()).contains("ui-hot");
    shot("silence-form");
    click("create-silence");
    assertThat(text("notice")).contains("Silenced for 1h");
    assertThat(text("silences")).contains("active").contains("instance Equal ui-hot");
    shot("silences");
    open("/?tenant=" + TENANT);
    assertThat(browser.findElement(By.cssSelector("tr.alert-row")).getText()).contains("muted by silence");
    shot("firing-now-muted");

    // sign out: the console asks for a token again
    click("sign-out");
    assertThat(browser.getCurrentUrl()).contains("/sign-in");
    open("/");
    assertThat(browser.getCurrentUrl()).endsWith("/sign-in");
    shot("signed-out");

    assertThat(platform.output("console")).as("the token in no log line").doesNotContain(token);
    assertThat(sink.all().stream().anyMatch(r -> r.body().path("status").asString().equals("FIRING")))
        .as("the breach was paged before the silence").isTrue();
  }

  private void open(String path) {
    browser.navigate().to("http://127.0.0.1:" + platform.port("console") + path);
    noToken();
  }

  private void click(String id) {
    browser.findElement(By.id(id)).click();
    noToken();
  }

  private void type(String id, String value) {
    type(By.id(id), value);
  }

  private void type(By by, String value) {
    WebElement e = browser.findElement(by);
    e.clear();
    e.sendKeys(value);
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  /** The token is in no page and no URL the browser was shown. */
  private void noToken() {
    assertThat(browser.getCurrentUrl()).doesNotContain(token);
    assertThat(browser.getPageSource()).doesNotContain(token);
  }

  private void shot(String name) {
    try {
      Files.write(SHOTS.resolve(String.format("%02d-%s.png", ++step, name)), browser.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
