package org.switchboard.testkit;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The CouchDB-API server tests and benchmarks use: the harness's own PouchDB Server, or an external
 * server (an Apache CouchDB node or cluster) named by {@code SWITCHBOARD_TEST_COUCHDB_URL}, with
 * {@code SWITCHBOARD_TEST_COUCHDB_USER} and {@code SWITCHBOARD_TEST_COUCHDB_PASSWORD}. For a cluster,
 * the URL may list several coordinators, comma-separated: an application node gets them all, and
 * tests with two application nodes give the second one the list from its last coordinator on
 * ({@link #fromLast()}), so that the two write through different coordinators.
 *
 * @param urls one URL, or several comma-separated (a cluster's coordinators)
 * @param user null when the server needs no login
 */
public record CouchDbServer(String urls, String user, String password, boolean external) {

    static CouchDbServer fromEnvironment() {
        var url = System.getenv("SWITCHBOARD_TEST_COUCHDB_URL");
        if (url == null || url.isBlank()) {
            return null;
        }
        var user = System.getenv("SWITCHBOARD_TEST_COUCHDB_USER");
        return new CouchDbServer(url, user == null || user.isBlank() ? null : user,
                System.getenv("SWITCHBOARD_TEST_COUCHDB_PASSWORD"), true);
    }

    public String url() {
        return coordinators().get(0);
    }

    /** Every coordinator, comma-separated, the last one first. */
    public String fromLast() {
        return String.join(",", lastFirst());
    }

    private List<String> lastFirst() {
        var list = new ArrayList<>(coordinators());
        list.addFirst(list.removeLast());
        return list;
    }

    private List<String> coordinators() {
        return Arrays.stream(urls.split(",")).map(u -> u.strip().replaceAll("/+$", "")).filter(u -> !u.isEmpty()).toList();
    }

    /** The settings of an application node on this server, as Java options: its URL, and its login if it needs one. */
    public List<String> nodeOptions() {
        var options = new ArrayList<String>();
        options.add("-DCOUCHDB_URL=" + String.join(",", coordinators()));
        if (user != null) {
            options.add("-DCOUCHDB_USER=" + user);
            options.add("-DCOUCHDB_PASSWORD=" + (password == null ? "" : password));
        }
        return options;
    }

    /** Every coordinator with the login in it ({@code http://user:password@host:port}), comma-separated, for clients that take one string. */
    public String urlWithLogin() {
        return withLogin(coordinators());
    }

    /** {@link #urlWithLogin()}, the last coordinator first. */
    public String fromLastWithLogin() {
        return withLogin(lastFirst());
    }

    private String withLogin(List<String> urls) {
        if (user == null) {
            return String.join(",", urls);
        }
        return urls.stream().map(URI::create).map(uri -> uri.getScheme() + "://" + user + ":" + (password == null ? "" : password)
                + "@" + uri.getAuthority() + uri.getPath()).collect(Collectors.joining(","));
    }
}
