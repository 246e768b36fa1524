package org.switchboard.chat.boundary;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ContextService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.text.Normalizer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.switchboard.chat.control.ChatMetrics;
import org.switchboard.chat.control.ChatServers;
import org.switchboard.chat.control.LiveFeed;
import org.switchboard.chat.control.MessageStore;
import org.switchboard.chat.control.PostLimiter;
import org.switchboard.chat.control.Presence;
import org.switchboard.chat.control.TransactionalMessageStore;
import org.switchboard.chat.entity.ChatMessage;
import org.switchboard.chat.entity.ChatRoom;

/**
 * Chat rooms, for the REST API and for other modules in-process: post, read the history, follow a
 * room live from any message on, see who is present. Every input is checked here; a broken rule
 * throws {@link InvalidChatRequestException} or {@link RateLimitedException} and stores nothing. Redis
 * or the database out of reach throws {@link ChatUnavailableException}.
 */
@ApplicationScoped
public class ChatRooms {

    public static final int MAX_TEXT = 4000;
    public static final int MAX_AUTHOR = 64;
    public static final int MAX_PAGE = 500;
    /** Alphabets with letters that look alike ('a' and Cyrillic 'а'): a name may use one of them, not several. */
    private static final Set<Character.UnicodeScript> LOOK_ALIKE_SCRIPTS = EnumSet.of(
            Character.UnicodeScript.LATIN, Character.UnicodeScript.GREEK, Character.UnicodeScript.CYRILLIC);
    /** The name only the logged-in admin may post under. */
    public static final String ADMIN = "admin";
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Inject
    ChatServers servers;

    @Inject
    TransactionalMessageStore chatHistory;

    @Inject
    MeterRegistry meters;

    /** Gives the feed's plain virtual threads the application's context for their history reads. */
    @Resource
    ContextService contexts;

    @Inject
    @ConfigProperty(name = "switchboard.chat.rate.messages", defaultValue = "20")
    long rateMessages;

    /** Across authors: a client cannot post more by changing its name; room enough for a room of people behind one NAT. */
    @Inject
    @ConfigProperty(name = "switchboard.chat.rate.address-messages", defaultValue = "120")
    long addressMessages;

    /** Everyone together, per room: the most a room's readers are sent. */
    @Inject
    @ConfigProperty(name = "switchboard.chat.rate.room-messages", defaultValue = "1000")
    long roomMessages;

    @Inject
    @ConfigProperty(name = "switchboard.chat.rate.seconds", defaultValue = "10")
    long rateSeconds;

    @Inject
    @ConfigProperty(name = "switchboard.chat.check-millis", defaultValue = "2000")
    long checkMillis;

    @Inject
    @ConfigProperty(name = "switchboard.chat.presence-seconds", defaultValue = "30")
    long presenceSeconds;

    private MessageStore history;
    private ThreadFactory threads;
    private LiveFeed feed;
    private ChatMetrics metrics;
    private Presence presence;
    private PostLimiter limiter;
    private PostLimiter addressLimiter;
    private PostLimiter roomLimiter;

    /** How many messages may be posted per window: by one client and author, by one client, in one room. */
    record Limits(long perAuthor, long perAddress, long perRoom, Duration window) {
    }

    protected ChatRooms() {
        // for CDI
    }

    /** Outside a container (tests). */
    ChatRooms(ChatServers servers, MessageStore history, ThreadFactory threads,
              Limits limits, Duration check, Duration presenceLease, MeterRegistry meters) {
        this.servers = servers;
        this.meters = meters;
        this.history = history;
        this.threads = threads;
        this.rateMessages = limits.perAuthor();
        this.addressMessages = limits.perAddress();
        this.roomMessages = limits.perRoom();
        this.rateSeconds = limits.window().toSeconds();
        this.checkMillis = check.toMillis();
        this.presenceSeconds = presenceLease.toSeconds();
        init();
    }

    @PostConstruct
    void init() {
        var feedHistory = history;
        if (history == null) {
            // Requests call the history directly. The feed reads it from threads of its own: plain
            // virtual threads (a managed thread factory refuses threads asked for from Redisson's
            // threads) through a contextual proxy made here, which gives them the application's context.
            history = chatHistory;
            feedHistory = contexts.createContextualProxy(chatHistory, MessageStore.class);
            threads = Thread.ofVirtual().name("chat-feed-", 0).factory();
        }
        metrics = new ChatMetrics(meters);
        feed = servers.feed(feedHistory, threads, Duration.ofMillis(checkMillis), metrics);
        metrics.readers(feed::followers);
        presence = servers.presence(Duration.ofSeconds(presenceSeconds));
        var window = Duration.ofSeconds(rateSeconds);
        limiter = servers.limiter("", rateMessages, window);
        addressLimiter = servers.limiter("address:", addressMessages, window);
        roomLimiter = servers.limiter("room:", roomMessages, window);
    }

    @PreDestroy
    public void close() {
        feed.close();
        presence.close();
    }

    /**
     * Stores a message under the room's next number, then broadcasts it. {@code sender} identifies the
     * client for the rate limit (its address); the author name is added to it. The author is shown
     * as {@link #displayName} makes it; the name {@value #ADMIN} is refused (see {@link #postAsAdmin}).
     */
    public ChatMessage post(String room, String author, String text, String sender) {
        return post(room, author, text, sender, false);
    }

    /** {@link #post} by the logged-in admin, the only one who may sign {@value #ADMIN}. */
    public ChatMessage postAsAdmin(String room, String author, String text, String sender) {
        return post(room, author, text, sender, true);
    }

    private ChatMessage post(String room, String given, String text, String sender, boolean admin) {
        checkRoom(room);
        var author = displayName(given);
        checkAuthor(author);
        if (!admin) {
            checkNotReserved("author", author);
        }
        checkText(text);
        limit(limiter, sender + "\n" + author, rateMessages + " every " + rateSeconds + " seconds from one client and author");
        limit(addressLimiter, sender, addressMessages + " every " + rateSeconds + " seconds from one client");
        limit(roomLimiter, room, roomMessages + " every " + rateSeconds + " seconds in one room");
        var message = stored(() -> history.append(room, author, text));
        metrics.posted();
        feed.publish(message);
        return message;
    }

    /** Messages after {@code afterSeq}, ascending, at most {@link #MAX_PAGE}. */
    public List<ChatMessage> after(String room, long afterSeq, int limit) {
        checkRoom(room);
        checkCursor("after", afterSeq);
        var page = page(limit);
        return stored(() -> history.after(room, afterSeq, page));
    }

    /** The messages just before {@code beforeSeq}, ascending, at most {@link #MAX_PAGE}. */
    public List<ChatMessage> before(String room, long beforeSeq, int limit) {
        checkRoom(room);
        checkCursor("before", beforeSeq);
        var page = page(limit);
        return stored(() -> history.before(room, beforeSeq, page));
    }

    public Optional<ChatMessage> message(String room, long seq) {
        checkRoom(room);
        return stored(() -> history.find(room, seq));
    }

    /** The rooms, most recently active first; a room's message count is its last number. */
    public List<ChatRoom> rooms(int limit) {
        return stored(() -> history.rooms(Math.max(1, Math.min(limit, 10_000))));
    }

    /**
     * Delivers every message of {@code room} after {@code afterSeq}, exactly once and in order: the
     * history first, then live. With a {@code name}, the connection also counts as present.
     */
    public AutoCloseable follow(String room, long afterSeq, String name, Follower follower) {
        checkRoom(room);
        checkCursor("after", afterSeq);
        var shown = name == null ? null : presenceName(name);
        var following = guarded(() -> feed.follow(room, afterSeq, follower));
        if (shown == null) {
            return following;
        }
        AutoCloseable lease;
        try {
            lease = guarded(() -> presence.enter(room, shown));
        } catch (RuntimeException e) {
            closeQuietly(following);
            throw e;
        }
        return () -> {
            following.close();
            lease.close();
        };
    }

    /** Who is connected to {@code room}. */
    public List<String> present(String room) {
        checkRoom(room);
        return guarded(() -> presence.present(room));
    }

    /** How many live readers this node serves. */
    public int followers() {
        return feed.followers();
    }

    private static void limit(PostLimiter limiter, String subject, String rule) {
        if (!guarded(() -> limiter.tryAcquire(subject))) {
            throw new RateLimitedException("Too many messages: at most " + rule + ".", limiter.retryAfter());
        }
    }

    private static void closeQuietly(AutoCloseable following) {
        try {
            following.close();
        } catch (Exception e) {
            // the follower ends with the failure answered to its caller
        }
    }

    private static <T> T stored(Supplier<T> databaseCall) {
        try {
            return databaseCall.get();
        } catch (RuntimeException e) {
            throw ChatServers.storeFailed(e);
        }
    }

    private static <T> T guarded(Supplier<T> serverCall) {
        try {
            return serverCall.get();
        } catch (RuntimeException e) {
            throw ChatServers.unavailable(e);
        }
    }

    public static boolean isValidRoom(String room) {
        return room != null && ROOM.matcher(room).matches();
    }

    public static void checkRoom(String room) {
        if (!isValidRoom(room)) {
            throw new InvalidChatRequestException("room", "a room name is 1 to 64 letters, digits, '.', '_' or '-'");
        }
    }

    /**
     * A name as shown: in Unicode's composed form (NFC), without the invisible formatting characters
     * (bidirectional overrides, zero-width joiners and spaces) that make one name look like another,
     * and trimmed. Null stays null.
     */
    public static String displayName(String name) {
        if (name == null) {
            return null;
        }
        return Normalizer.normalize(name, Normalizer.Form.NFC).codePoints()
                .filter(c -> Character.getType(c) != Character.FORMAT)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString().strip();
    }

    /** A reader's name for presence, as shown; refused like an author's, and {@value #ADMIN} too. */
    public static String presenceName(String given) {
        var shown = displayName(given);
        checkAuthor(shown);
        checkNotReserved("name", shown);
        return shown;
    }

    private static void checkNotReserved(String field, String name) {
        if (name.equalsIgnoreCase(ADMIN)) {
            throw new InvalidChatRequestException(field, "the name '" + ADMIN + "' is kept for the logged-in admin");
        }
    }

    public static void checkAuthor(String author) {
        if (author == null || author.isBlank()) {
            throw new InvalidChatRequestException("author", "the author is missing: give a name of 1 to 64 characters");
        }
        if (author.codePointCount(0, author.length()) > MAX_AUTHOR) {
            throw new InvalidChatRequestException("author", "the author is longer than 64 characters");
        }
        if (author.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.SURROGATE)) {
            throw new InvalidChatRequestException("author", "the author contains control characters");
        }
        var alphabets = author.codePoints().filter(Character::isLetter).mapToObj(Character.UnicodeScript::of)
                .filter(LOOK_ALIKE_SCRIPTS::contains).distinct().count();
        if (alphabets > 1) {
            throw new InvalidChatRequestException("author", "the author mixes Latin, Greek or Cyrillic letters, which can look alike");
        }
    }

    static void checkText(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidChatRequestException("text", "the text is missing: send 1 to 4000 characters");
        }
        if (text.codePointCount(0, text.length()) > MAX_TEXT) {
            throw new InvalidChatRequestException("text", "the text is longer than 4000 characters");
        }
        // NUL and lone surrogates cannot be stored in PostgreSQL text; other control characters are noise
        if (text.codePoints().anyMatch(c -> (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t')
                || Character.getType(c) == Character.SURROGATE)) {
            throw new InvalidChatRequestException("text", "the text contains control characters or broken Unicode");
        }
    }

    private static void checkCursor(String field, long seq) {
        if (seq < 0) {
            throw new InvalidChatRequestException(field, field + " must be a sequence number, 0 or more");
        }
    }

    private static int page(int limit) {
        if (limit < 1) {
            throw new InvalidChatRequestException("limit", "limit must be 1 to " + MAX_PAGE);
        }
        return Math.min(limit, MAX_PAGE);
    }
}
