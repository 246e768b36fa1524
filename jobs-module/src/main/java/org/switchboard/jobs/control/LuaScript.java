package org.switchboard.jobs.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RScript;
import org.redisson.client.RedisNoScriptException;

/**
 * A Lua script made of resources beside this class (shared functions first), run by its SHA-1 with
 * {@code EVALSHA}: a call sends the digest, not the text. A server that does not know the script
 * yet (new, restarted, or a replica just promoted) answers {@code NOSCRIPT}, and the script is sent
 * once with {@code EVAL}, which also caches it there.
 */
final class LuaScript {

    private final String body;
    private final String sha;

    private LuaScript(String body) {
        this.body = body;
        this.sha = sha1(body);
    }

    /** The script made of these resources ({@code name.lua}), in this order. */
    static LuaScript of(String... names) {
        var text = new StringBuilder();
        for (var name : names) {
            try (var in = LuaScript.class.getResourceAsStream(name + ".lua")) {
                if (in == null) {
                    throw new IllegalStateException("no Lua script " + name + ".lua beside " + LuaScript.class.getName());
                }
                text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new LuaScript(text.toString());
    }

    <R> CompletionStage<R> run(RScript script, RScript.Mode mode, RScript.ReturnType type, List<Object> keys, Object... args) {
        return script.<R>evalShaAsync(mode, sha, type, keys, args).exceptionallyCompose(e ->
                unwrap(e) instanceof RedisNoScriptException
                        ? script.<R>evalAsync(mode, body, type, keys, args)
                        : CompletableFuture.failedStage(unwrap(e)));
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
