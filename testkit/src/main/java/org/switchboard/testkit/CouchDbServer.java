package org.switchboard.testkit;

import java.net.URI;

/**
 * The CouchDB-API server tests and benchmarks use: the harness's own PouchDB Server, or an external
 * server (an Apache CouchDB node or cluster) named by {@code SWITCHBOARD_TEST_COUCHDB_URL}, with
 * {@code SWITCHBOARD_TEST_COUCHDB_USER} and {@code SWITCHBOARD_TEST_COUCHDB_PASSWORD}. For a cluster,
 * the URL may list several coordinators, comma-separated: {@link #url()} is the first, and tests
 * with two application nodes send the second node to {@link #lastCoordinator()}.
 *
 * @param user null when the server needs no login
 */
public record CouchDbServer(String url, String user, String password, boolean external) {

    static CouchDbServer fromEnvironment() {
        var url = System.getenv("SWITCHBOARD_TEST_COUCHDB_URL");
        if (url == null || url.isBlank()) {
            return null;
        }
        var user = System.getenv("SWITCHBOARD_TEST_COUCHDB_USER");
        return new CouchDbServer(url.strip(), user == null || user.isBlank() ? null : user,
                System.getenv("SWITCHBOARD_TEST_COUCHDB_PASSWORD"), true);
    }

    public String url() {
        return coordinators().get(0);
    }

    public String lastCoordinator() {
        return coordinators().getLast();
    }

    private java.util.List<String> coordinators() {
        return java.util.Arrays.stream(url.split(",")).map(u -> u.strip().replaceAll("/+$", "")).filter(u -> !u.isEmpty()).toList();
    }

    /** The URL with the login in it ({@code http://user:password@host:port}), for clients that take one string. */
    public String urlWithLogin() {
        if (user == null) {
            return url();
        }
        var uri = URI.create(url());
        return uri.getScheme() + "://" + user + ":" + (password == null ? "" : password) + "@" + uri.getAuthority() + uri.getPath();
    }
}
