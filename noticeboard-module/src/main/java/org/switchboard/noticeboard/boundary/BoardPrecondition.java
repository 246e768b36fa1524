package org.switchboard.noticeboard.boundary;

import java.util.Objects;

/**
 * What must hold for a post to be made, checked atomically with the write (compare-and-set): two
 * writers that both read a version and both post on condition of it make exactly one post.
 */
public sealed interface BoardPrecondition {

    /** No condition: the post is made whatever the board holds. */
    BoardPrecondition NONE = new None();

    /** The board exists (any version). */
    BoardPrecondition EXISTS = new Exists();

    /** The board does not exist: the post creates it. */
    BoardPrecondition ABSENT = new Absent();

    /** The board is still at this version. */
    static BoardPrecondition at(String epoch, long revision) {
        return new At(new Version(epoch, revision));
    }

    /** A board's version: its epoch and the revision within it. */
    record Version(String epoch, long revision) {

        public Version {
            Objects.requireNonNull(epoch, "epoch");
        }
    }

    record None() implements BoardPrecondition {
    }

    record Exists() implements BoardPrecondition {
    }

    record Absent() implements BoardPrecondition {
    }

    record At(Version version) implements BoardPrecondition {
    }
}
