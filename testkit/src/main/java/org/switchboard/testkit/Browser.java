package org.switchboard.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium through Selenium, with the system's {@code chromium} and {@code chromedriver}
 * (Debian's packages): tools that download their own browser cannot work on a closed network.
 * Missing, the test is skipped with a message; with {@code CI=true} it fails.
 */
public final class Browser {

    private Browser() {
    }

    public static WebDriver start() {
        var chromium = firstExecutable("chromium", "chromium-browser", "google-chrome");
        var driver = firstExecutable("chromedriver");
        Prerequisite.require(chromium.isPresent() && driver.isPresent(), "Chromium and ChromeDriver",
                "apt-get install chromium chromium-driver");
        var options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1280,900",
                "--user-data-dir=" + freshProfile());
        // the console is kept, so that a test can find what the page broke (a Content-Security-Policy violation, an error)
        var logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.get().toFile())
                .usingAnyFreePort()
                .build();
        var webDriver = new ChromeDriver(service, options);
        webDriver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return webDriver;
    }

    /** What the pages wrote to the console since the last call: each message, as Chromium gave it. */
    public static List<String> console(WebDriver browser) {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage).toList();
    }

    private static Optional<Path> firstExecutable(String... names) {
        return Stream.of(names).map(Executables::onPath).flatMap(Optional::stream).findFirst();
    }

    private static String freshProfile() {
        return TestServers.tempDir("chromium-").toString();
    }

}
