package org.switchboard.ui.boards;

import jakarta.ws.rs.core.EntityTag;
import java.util.Arrays;
import org.switchboard.noticeboard.boundary.BoardPrecondition;
import org.switchboard.noticeboard.boundary.InvalidBoardRequestException;
import org.switchboard.noticeboard.entity.Board;

/**
 * A board's version as an HTTP entity tag ({@code "<epoch>-<revision>"}, strong), and the conditions
 * of {@code If-Match} and {@code If-None-Match} (RFC 9110, section 13) in the boards' terms.
 */
final class BoardETags {

    /** A tag no board has: a condition naming a tag of another form can never hold. */
    private static final BoardPrecondition NEVER = BoardPrecondition.at("-", -1);

    private BoardETags() {
    }

    static EntityTag of(Board board) {
        return of(new BoardPrecondition.Version(board.epoch(), board.revision()));
    }

    /** The {@code ETag} header's value, for answers written outside JAX-RS. */
    static String header(Board board) {
        return "\"" + board.epoch() + "-" + board.revision() + "\"";
    }

    static EntityTag of(BoardPrecondition.Version version) {
        return new EntityTag(version.epoch() + "-" + version.revision());
    }

    /**
     * The condition of a PUT: {@code If-Match: *} (the board exists), {@code If-Match: "<tag>"} (it
     * is still at that version; a weak tag never matches, as the strong comparison requires),
     * {@code If-None-Match: *} (it does not exist yet), or none.
     */
    static BoardPrecondition forPut(String ifMatch, String ifNoneMatch) {
        if (ifMatch != null && ifNoneMatch != null) {
            throw new InvalidBoardRequestException("If-Match", "send If-Match or If-None-Match, not both");
        }
        if (ifNoneMatch != null) {
            if (!"*".equals(ifNoneMatch.strip())) {
                throw new InvalidBoardRequestException("If-None-Match", "a PUT takes If-None-Match: * only (create the board if it does not exist)");
            }
            return BoardPrecondition.ABSENT;
        }
        if (ifMatch == null) {
            return BoardPrecondition.NONE;
        }
        var tags = tags(ifMatch, "If-Match");
        if (tags.length == 1 && "*".equals(tags[0])) {
            return BoardPrecondition.EXISTS;
        }
        if (tags.length != 1) {
            throw new InvalidBoardRequestException("If-Match", "give one entity tag (the board's ETag) or *");
        }
        if (tags[0].startsWith("W/")) {
            return NEVER;
        }
        return version(unquote(tags[0]));
    }

    /** Whether {@code If-None-Match} of a GET names the board's current version (weak comparison), or is {@code *}. */
    static boolean matches(String ifNoneMatch, Board board) {
        var current = of(board).getValue();
        return Arrays.stream(tags(ifNoneMatch, "If-None-Match"))
                .anyMatch(tag -> "*".equals(tag) || current.equals(unquote(tag.startsWith("W/") ? tag.substring(2) : tag)));
    }

    private static String[] tags(String header, String name) {
        var tags = Arrays.stream(header.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toArray(String[]::new);
        if (tags.length == 0 || tags.length > 64) {
            throw new InvalidBoardRequestException(name, "give between 1 and 64 entity tags, or *");
        }
        return tags;
    }

    private static String unquote(String tag) {
        return tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"") ? tag.substring(1, tag.length() - 1) : null;
    }

    private static BoardPrecondition version(String tag) {
        var dash = tag == null ? -1 : tag.lastIndexOf('-');
        if (dash <= 0) {
            return NEVER;
        }
        try {
            return BoardPrecondition.at(tag.substring(0, dash), Long.parseLong(tag.substring(dash + 1)));
        } catch (NumberFormatException notOurs) {
            return NEVER;
        }
    }
}
