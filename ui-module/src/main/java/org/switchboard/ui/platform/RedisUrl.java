package org.switchboard.ui.platform;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

/**
 * {@code REDIS_URL}, turned into a Redisson configuration.
 *
 * <ul>
 * <li>{@code redis://[user:password@]host:port[/db]} or {@code rediss://...} (TLS): one server;</li>
 * <li>{@code redis-sentinel://[password@]host:port,host:port/master[/db]}: Sentinel;</li>
 * <li>{@code redis-cluster://[password@]host:port,host:port}: Cluster.</li>
 * </ul>
 * The client connects lazily: creating it never fails because Redis is down.
 */
public record RedisUrl(String scheme, String user, String password, List<String> nodes, String master, int database) {

    public static RedisUrl parse(String url) {
        var uri = URI.create(url.strip());
        var scheme = uri.getScheme();
        if (scheme == null || !List.of("redis", "rediss", "redis-sentinel", "redis-cluster").contains(scheme)) {
            throw new IllegalArgumentException("REDIS_URL must start with redis://, rediss://, redis-sentinel:// or redis-cluster://");
        }
        var authority = uri.getRawAuthority();
        if (authority == null || authority.isBlank()) {
            throw new IllegalArgumentException("REDIS_URL names no host");
        }
        String user = null;
        String password = null;
        var at = authority.lastIndexOf('@');
        if (at >= 0) {
            var userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            var colon = userInfo.indexOf(':');
            if (colon >= 0) {
                user = emptyToNull(decode(userInfo.substring(0, colon)));
                password = decode(userInfo.substring(colon + 1));
            } else {
                password = decode(userInfo);
            }
        }
        var nodes = Arrays.stream(authority.split(",")).map(RedisUrl::withPort).toList();
        var path = Arrays.stream(uri.getPath() == null ? new String[0] : uri.getPath().split("/"))
                .filter(s -> !s.isEmpty()).toList();
        String master = null;
        if (scheme.equals("redis-sentinel")) {
            if (path.isEmpty()) {
                throw new IllegalArgumentException("a redis-sentinel:// URL names its master: redis-sentinel://host:26379/mymaster");
            }
            master = path.getFirst();
            path = path.subList(1, path.size());
        }
        int database = path.isEmpty() ? 0 : Integer.parseInt(path.getFirst());
        return new RedisUrl(scheme, user, password, nodes, master, database);
    }

    /**
     * The Redisson configuration: strings on the wire, so other clients can read what we write. On
     * Sentinel and Cluster every read goes to a master, as the writes do: Redisson reads from replicas
     * by default, and a replica lags, so a value just posted could read as missing or old.
     */
    public Config toConfig() {
        var config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setLazyInitialization(true);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        var prefix = scheme.equals("rediss") ? "rediss://" : "redis://";
        var addresses = nodes.stream().map(n -> prefix + n).toArray(String[]::new);
        switch (scheme) {
            case "redis-sentinel" -> config.useSentinelServers()
                    .setMasterName(master).addSentinelAddress(addresses).setDatabase(database)
                    .setConnectTimeout(2000).setCheckSentinelsList(false).setReadMode(ReadMode.MASTER);
            case "redis-cluster" -> config.useClusterServers()
                    .addNodeAddress(addresses).setConnectTimeout(2000).setReadMode(ReadMode.MASTER);
            default -> config.useSingleServer()
                    .setAddress(addresses[0]).setDatabase(database).setConnectTimeout(2000);
        }
        return config;
    }

    /** The URL without its password, for pages and logs. */
    public String redacted() {
        var credentials = password == null ? "" : (user == null ? "" : user + ":") + "***@";
        var path = (master == null ? "" : "/" + master) + (database == 0 ? "" : "/" + database);
        return scheme + "://" + credentials + String.join(",", nodes) + path;
    }

    private static String withPort(String node) {
        var trimmed = node.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("REDIS_URL has an empty host");
        }
        return trimmed.matches(".*:\\d+$") ? trimmed : trimmed + ":6379";
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
