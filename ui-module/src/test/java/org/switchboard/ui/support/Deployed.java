package org.switchboard.ui.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.switchboard.testkit.TestServers;

/**
 * The WAR under test as Maven built it, and the servers it runs on. Before Arquillian starts Payara
 * Micro, this listener starts Redis and PouchDB Server and hands their addresses to Payara through
 * {@code payara.cmdOptions}, with a fresh data folder and a random admin password.
 */
public class Deployed implements LauncherSessionListener {

    private static final String ADMIN_PASSWORD_PROPERTY = "switchboard.test.admin-password";
    /**
     * Payara's start-up on several threads can deadlock (two of its threads creating default
     * configuration at once; seen once in a benchmark's node): the README's deployment and {@code ./run}
     * start it on one thread, and so do the tests.
     */
    private static final String SINGLE_THREADED_STARTUP = "org.glassfish.startupThreadPolicy=USE_NO_THREADS";

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (System.getProperty("switchboard.war") == null || System.getProperty("payara.cmdOptions") != null) {
            return; // not the integration-test run
        }
        var dataDir = TestServers.tempDir("data-");
        var bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        var password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        System.setProperty(ADMIN_PASSWORD_PROPERTY, password);
        var couchDb = TestServers.couchDb();
        var options = new ArrayList<>(List.of("-Xmx768m", "-D" + SINGLE_THREADED_STARTUP, "-DREDIS_URL=" + TestServers.redis().url(),
                "-DDATA_DIR=" + dataDir, "-DADMIN_PASSWORD=" + password,
                // a queue with limits, shown by the API
                "-Dswitchboard.jobs.max-running.limited=2", "-Dswitchboard.jobs.rate.limited=100/1s"));
        options.addAll(couchDb.nodeOptions());
        if (couchDb.external()) {
            // an external server outlives the run: its ledger database is this run's own
            options.add("-Dswitchboard.ledger.database=ledger-it-" + System.currentTimeMillis());
        }
        System.setProperty("payara.cmdOptions", String.join(" ", options));
    }

    /** The WAR that {@code mvn package} built: the tests check the artifact users deploy. */
    public static WebArchive war() {
        var war = new File(System.getProperty("switchboard.war", "target/switchboard.war"));
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    public static String adminPassword() {
        return System.getProperty(ADMIN_PASSWORD_PROPERTY);
    }

    /**
     * HTTP/1.1, as browsers speak to a node without TLS. Over cleartext HTTP/2 (the client's default
     * otherwise) a closed event stream resets only its HTTP/2 stream, which Payara Micro does not
     * report: the node would count it open until the connection closes.
     */
    public static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public static HttpResponse<String> get(URI uri, String... headers) {
        var request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

}
