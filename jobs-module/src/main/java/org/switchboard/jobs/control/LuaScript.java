package org.switchboard.jobs.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;

/**
 * A Lua script made of resources beside this class (shared functions first), read once. Redisson's
 * script cache (on by default) sends it by its SHA-1 with {@code EVALSHA}, and once with {@code EVAL}
 * to a server that answers {@code NOSCRIPT} (new, restarted, or a replica just promoted).
 */
final class LuaScript {

    private final String body;

    private LuaScript(String body) {
        this.body = body;
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

    <R> CompletionStage<R> run(RScriptAsync script, RScript.Mode mode, RScript.ReturnType type, List<Object> keys, Object... args) {
        return script.evalAsync(mode, body, type, keys, args);
    }
}
