package org.switchboard.ledger.control;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URLEncoder;
import org.apache.http.HttpResponse;
import org.apache.http.client.methods.HttpDelete;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.methods.HttpPut;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.util.EntityUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.lightcouch.CouchDbClient;
import org.lightcouch.CouchDbException;
import org.lightcouch.DesignDocument;
import org.lightcouch.DocumentConflictException;
import org.lightcouch.NoDocumentException;
import org.lightcouch.Params;
import org.lightcouch.View;
import org.switchboard.ledger.entity.Decision;
import org.switchboard.ledger.entity.Link;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;
import org.switchboard.ledger.entity.TwoPhase;

/**
 * The ledger's documents in CouchDB, through LightCouch: accounts ({@code account:<id>}), the
 * transaction log ({@code transfer:<id>}), and one head document ({@code ledger:head}), the commit
 * point of every decision: the number of transfers decided so far, every balance after them (those
 * changed since a checkpoint, {@code ledger:balances:<place>-<revision>}, which holds the others), and
 * the last batch of decisions. The design document {@code _design/ledger} holds the classic views
 * ({@code balance-available} over successful transfers, {@code oldest-pending}), a statement per
 * account, and a {@code validate_doc_update} that keeps a decided transfer as it is.
 */
public class CouchLedgerStore {

    public static final String HEAD = "ledger:head";
    /** Past revisions a document keeps on a cluster, where the head is not rotated: see {@link #install(boolean)}. */
    static final int REVS_LIMIT = 200;
    private static final System.Logger LOG = System.getLogger(CouchLedgerStore.class.getName());
    static final String DESIGN = "_design/ledger";

    private final CouchCoordinators couch;
    /** This node's name in the heads it commits ("by"): other nodes see who decides. */
    final String node = UUID.randomUUID().toString();
    /** Where other nodes reach this one's relay, named in the heads it commits; null: they hand over through the database. */
    volatile String relayAddress;

    public CouchLedgerStore(CouchCoordinators couch) {
        this.couch = couch;
    }

    /** On one client made elsewhere (tests, tools). */
    public CouchLedgerStore(CouchDbClient db) {
        this(CouchCoordinators.of(db));
    }

    /** Runs {@code call} on the coordinator in use: see {@link CouchCoordinators}. */
    private <T> T couch(Function<CouchDbClient, T> call) {
        return couch.call(call);
    }

    /** Whether the database itself refuses a change to a decided transfer: see {@link #install(boolean)}. */
    private volatile boolean guarded = true;

    /** {@link #install(boolean)} with the database guarding the log. */
    public void install() {
        install(true);
    }

    /**
     * Creates or updates the design document, and the head if there is none. Safe on every node at
     * once, given the same {@code guarded} on every node.
     *
     * <p>{@code guarded}: the design document has a {@code validate_doc_update} that makes the
     * database refuse any change to a decided transfer, any transfer stored decided without a place,
     * and any change of an account's rules, whoever writes. The ledger never makes such a write itself,
     * so this guards against other writers. Apache CouchDB runs the function in its JavaScript
     * engine, a separate process, for every document written: measured on one CouchDB 3.5 node, the
     * ledger decided about half as many transfers per second with it ({@code docs/benchmarks.md}).
     * Unguarded, a change made behind the ledger's back still shows in the check (the log and the
     * head disagree); a database whose {@code _security} lets only the ledger's user write needs no
     * more.
     */
    public void install(boolean guarded) {
        this.guarded = guarded;
        var design = new DesignDocument();
        design.setId(DESIGN);
        design.setLanguage("javascript");
        var views = new LinkedHashMap<String, DesignDocument.MapReduce>();
        views.put("balance-available", view("balance-available", "_sum"));
        // oldest-pending, keyed so that the oldest comes first (no reduce: its atomicity is not relied on)
        views.put("oldest-pending", view("oldest-pending", null));
        views.put("statement", view("statement", null));
        design.setViews(views);
        design.setValidateDocUpdate(guarded ? script("validate_doc_update.js") : null);
        for (int attempt = 0; ; attempt++) {
            try {
                couch(db -> db.design().synchronizeWithDb(design));
                break;
            } catch (DocumentConflictException e) {
                if (attempt > 5) {
                    throw e; // another node is installing the same document; it is there
                }
            }
        }
        if (copies() > 1) {
            // the head is rewritten at every commit and carries its past revision ids: on a cluster it
            // is not rotated (see commit), so the database keeps fewer of them
            var limit = request(base -> new HttpGet(base + "_revs_limit")).body();
            if (!limit.isJsonPrimitive() || limit.getAsInt() != REVS_LIMIT) {
                try {
                    request(base -> {
                        var put = new HttpPut(base + "_revs_limit");
                        put.setEntity(new StringEntity(String.valueOf(REVS_LIMIT), ContentType.APPLICATION_JSON));
                        return put;
                    });
                } catch (CouchDbException e) {
                    // a member, not an admin: the README has the admin set it
                    LOG.log(System.Logger.Level.WARNING, "The ledger database keeps " + limit + " past revisions of a document: "
                            + "a CouchDB admin should set its _revs_limit to " + REVS_LIMIT + " (" + e.getMessage() + ")");
                }
            }
        }
        if (!couch(db -> db.contains(HEAD))) {
            var head = new JsonObject();
            head.addProperty("_id", HEAD);
            head.addProperty("type", "head");
            head.addProperty("seq", 0);
            head.add("balances", new JsonObject());
            head.add("batch", new JsonArray());
            putHead(head); // a conflict: another node made it, with the same content

        }
    }

    /** Which CouchDB answers, through which coordinator; a database that went missing is made again with the ledger's documents. */
    public String probe() {
        try {
            request(HttpGet::new);
        } catch (NoDocumentException missing) {
            couch(db -> {
                db.context().createDB(db.getDBUri().getPath().replace("/", ""));
                return null;
            });
            install(guarded);
        }
        return couch(db -> "CouchDB API " + db.context().serverVersion() + " through " + db.getBaseUri().getHost() + ":" + db.getBaseUri().getPort());
    }

    private static DesignDocument.MapReduce view(String name, String reduce) {
        var view = new DesignDocument.MapReduce();
        view.setMap(script(name + ".map.js"));
        view.setReduce(reduce);
        return view;
    }

    /** A function of the design document, from the {@code design} resources beside this class. */
    private static String script(String file) {
        try (var in = CouchLedgerStore.class.getResourceAsStream("design/" + file)) {
            if (in == null) {
                throw new IllegalStateException("the ledger's design document lacks " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An account's rules as stored: empty if there is no such account. */
    public Optional<Boolean> allowNegative(String account) {
        try {
            var doc = couch(db -> db.find(JsonObject.class, "account:" + account));
            return Optional.of(doc.get("allowNegative").getAsBoolean());
        } catch (NoDocumentException e) {
            return Optional.empty();
        }
    }

    /** Creates an account; answers false if it exists (with the rules it has). */
    public boolean createAccount(String account, boolean allowNegative) {
        var doc = new JsonObject();
        doc.addProperty("_id", "account:" + account);
        doc.addProperty("type", "account");
        doc.addProperty("id", account);
        doc.addProperty("allowNegative", allowNegative);
        doc.addProperty("createdAt", Instant.now().toEpochMilli());
        try {
            couch(db -> db.save(doc));
            return true;
        } catch (DocumentConflictException e) {
            return false;
        } catch (CouchDbException e) {
            // PouchDB Server runs validate_doc_update before its conflict check: an account with other rules is refused so
            if (forbidden(e) && couch(db -> db.contains("account:" + account))) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Creates many accounts with one rule, {@code _bulk_docs} by a thousand at a time: answers the ids
     * that were there already (with whatever rules they have).
     */
    public List<String> createAccounts(List<String> ids, boolean allowNegative) {
        var existing = new ArrayList<String>();
        var now = Instant.now().toEpochMilli();
        for (int from = 0; from < ids.size(); from += 1000) {
            var docs = new ArrayList<JsonObject>();
            for (var id : ids.subList(from, Math.min(ids.size(), from + 1000))) {
                var doc = new JsonObject();
                doc.addProperty("_id", "account:" + id);
                doc.addProperty("type", "account");
                doc.addProperty("id", id);
                doc.addProperty("allowNegative", allowNegative);
                doc.addProperty("createdAt", now);
                docs.add(doc);
            }
            for (var result : bulk(docs)) {
                if (result.error() != null) {
                    existing.add(result.id().substring("account:".length()));
                }
            }
        }
        var there = accounts(existing).keySet();
        for (var id : existing) {
            if (!there.contains(id)) {
                throw new CouchDbException("account " + id + " was refused by the database");
            }
        }
        return existing;
    }

    /**
     * Every account and whether it may go negative, by id: read from the primary index in pages, no
     * view (a view over every document is built anew after each change, which on a ledger of many
     * accounts takes longer than a caller waits).
     */
    public Map<String, Boolean> accounts() {
        var out = new TreeMap<String, Boolean>();
        eachDocument("account:", PAGE, doc -> {
            if (doc.has("allowNegative")) {
                out.put(doc.get("id").getAsString(), doc.get("allowNegative").getAsBoolean());
            }
        });
        return out;
    }

    /** Every document whose id starts with {@code prefix}, read from the primary index {@code pageSize} at a time. */
    private void eachDocument(String prefix, int pageSize, Consumer<JsonObject> action) {
        var from = prefix;
        while (true) {
            var start = from;
            var rows = couch(db -> db.view("_all_docs").startKey(start).endKey(prefix + "\ufff0").limit(pageSize).includeDocs(true)
                    .queryView(String.class, JsonElement.class, JsonObject.class).getRows());
            for (var row : rows) {
                if (row.getDoc() != null) {
                    action.accept(row.getDoc());
                }
            }
            if (rows.size() < pageSize) {
                return;
            }
            from = rows.get(rows.size() - 1).getKey() + "\u0000";
        }
    }

    /** Rows per page of the primary index when the accounts or the log are read whole. */
    private static final int PAGE = 2000;

    /** The rules of these accounts, read now (one request); a missing account is absent from the answer. */
    public Map<String, Boolean> accounts(Collection<String> ids) {
        var out = new HashMap<String, Boolean>();
        for (var doc : docs(ids.stream().map(id -> "account:" + id).distinct().toList())) {
            out.put(doc.get("id").getAsString(), doc.get("allowNegative").getAsBoolean());
        }
        return out;
    }

    /**
     * What {@link #insert} did: the transfer as stored, whether this call stored it, and the revision
     * this call wrote (null when it found the transfer there).
     */
    public record Inserted(Transfer transfer, boolean created, String rev) {
    }

    /** Stores a pending transfer under its id, or answers the one already stored under that id. */
    public Inserted insert(String id, String from, String to, long amount, Instant timestamp) {
        var inserted = insertAll(List.of(new Transfer(id, from, to, amount, timestamp, TransferStatus.PENDING, null, null, null))).get(0);
        if (inserted == null) {
            throw new CouchDbException("transfer " + id + " was refused by the database");
        }
        return inserted;
    }

    /**
     * Stores several pending transfers in one request ({@code _bulk_docs}); an id already taken answers
     * the transfer stored under it. Answers in the order given.
     */
    public List<Inserted> insertAll(List<Transfer> transfers) {
        var docs = new ArrayList<JsonObject>();
        for (var t : transfers) {
            docs.add(pendingDoc(t));
        }
        var failed = new HashSet<String>();
        var revs = new HashMap<String, String>();
        for (var result : bulk(docs)) { // answers may come in another order: matched by id
            if (result.error() != null) {
                failed.add(result.id());
            } else {
                revs.put(result.id(), result.rev());
            }
        }
        var existing = new HashMap<String, Transfer>();
        if (!failed.isEmpty()) {
            for (var doc : docs(List.copyOf(failed))) {
                existing.put(doc.get("_id").getAsString(), transfer(doc));
            }
        }
        var out = new ArrayList<Inserted>(transfers.size());
        for (int i = 0; i < transfers.size(); i++) {
            var key = "transfer:" + transfers.get(i).id();
            if (!failed.contains(key)) {
                out.add(new Inserted(transfer(docs.get(i)), true, revs.get(key)));
            } else if (existing.containsKey(key)) {
                out.add(new Inserted(existing.get(key), false, null));
            } else {
                out.add(null); // refused and not there: the caller sees an error
            }
        }
        return out;
    }

    private static JsonObject pendingDoc(Transfer t) {
        var doc = freshJson(t);
        doc.addProperty("_id", "transfer:" + t.id());
        doc.addProperty("type", "transfer");
        doc.addProperty("status", "pending");
        return doc;
    }

    /**
     * What a transfer is as asked for, before any decision: id, from, to, amount, timestamp and its
     * two-phase fields. The one shape of a transfer in its document, in a head that carries it, in an
     * inbox and on the relay.
     */
    static JsonObject freshJson(Transfer t) {
        var o = new JsonObject();
        o.addProperty("id", t.id());
        o.addProperty("from", t.from());
        o.addProperty("to", t.to());
        o.addProperty("amount", t.amount());
        o.addProperty("timestamp", t.timestamp().toEpochMilli());
        var p = t.twoPhase();
        if (p != null) {
            o.addProperty("phase", p.step().wire());
            if (p.reserves()) {
                o.addProperty("timeoutSeconds", p.timeoutSeconds());
            } else {
                o.addProperty("pendingId", p.pendingId());
                o.addProperty("held", p.held());
                o.addProperty("expiresAt", p.expiresAt().toEpochMilli());
            }
        }
        var link = t.link();
        if (link != null) {
            o.addProperty("group", link.group());
            o.addProperty("groupSize", link.size());
            if (link.standsForBatch()) {
                var others = new JsonArray();
                link.others().forEach(other -> others.add(freshJson(other)));
                o.add("linked", others);
            }
        }
        return o;
    }

    /** A transfer as {@link #freshJson} writes it, pending. */
    static Transfer fresh(JsonObject o) {
        return new Transfer(o.get("id").getAsString(), o.get("from").getAsString(), o.get("to").getAsString(),
                o.get("amount").getAsLong(), Instant.ofEpochMilli(o.get("timestamp").getAsLong()), TransferStatus.PENDING,
                null, null, null, twoPhase(o), link(o));
    }

    private static Link link(JsonObject o) {
        if (!o.has("group")) {
            return null;
        }
        List<Transfer> others = null;
        if (o.has("linked")) {
            others = new ArrayList<>();
            for (var other : o.getAsJsonArray("linked")) {
                others.add(fresh(other.getAsJsonObject()));
            }
        }
        return new Link(o.get("group").getAsString(), o.get("groupSize").getAsInt(), others);
    }

    private static TwoPhase twoPhase(JsonObject o) {
        if (!o.has("phase")) {
            return null;
        }
        var step = TwoPhase.Step.ofWire(o.get("phase").getAsString());
        return step == TwoPhase.Step.RESERVE ? TwoPhase.reserve(o.get("timeoutSeconds").getAsLong())
                : new TwoPhase(step, o.get("pendingId").getAsString(), 0, o.get("held").getAsLong(),
                        Instant.ofEpochMilli(o.get("expiresAt").getAsLong()));
    }

    public Optional<Transfer> find(String id) {
        try {
            return Optional.of(transfer(couch(db -> db.find(JsonObject.class, "transfer:" + id))));
        } catch (NoDocumentException e) {
            return Optional.empty();
        }
    }

    /** The transfers of these ids that the log holds, in one request. */
    public List<Transfer> findAll(List<String> ids) {
        return docs(ids.stream().map(id -> "transfer:" + id).toList()).stream().map(CouchLedgerStore::transfer).toList();
    }

    /**
     * The head: the commit point of every decision. It holds the balances changed since its base, a
     * checkpoint of every balance at an earlier place, and not every balance itself: a commit then
     * rewrites only the balances changed lately, whatever the number of accounts (see {@link #commit}).
     * What an account's open reservations hold is kept the same way, as the amount of {@link #held}
     * of the account, so a reservation and its settlement commit with the balances they change.
     */
    public record Head(String rev, long seq, Map<String, Long> delta, Checkpoint base, List<Decision> batch, long epoch, String by) {

        /** Where the amounts held by reservations are, beside the balances: no account id has a '/'. */
        static final String HELD = "held/";
        /** Where the open reservations are, each with the amount it holds (0 once settled). */
        static final String OPEN = "open/";

        /** The key of what an account's open reservations hold, among the head's amounts. */
        public static String held(String account) {
            return HELD + account;
        }

        /** The key of a reservation, among the head's amounts: what it holds while open, 0 once settled. */
        public static String open(String reservation) {
            return OPEN + reservation;
        }

        /** An account's balance after the head's last batch (or, for {@link #held}'s key, what it holds). */
        public long balance(String account) {
            var changed = delta.get(account);
            return changed != null ? changed : base == null ? 0L : base.balances().getOrDefault(account, 0L);
        }

        /** What an account's open reservations hold after the head's last batch. */
        public long reserved(String account) {
            return balance(held(account));
        }

        /** Every balance after the head's last batch (a copy, as large as the accounts in use). */
        public Map<String, Long> balances() {
            return amounts(false);
        }

        /** The reservations open after the head's last batch, by id. */
        public List<String> open() {
            var out = new ArrayList<String>();
            all().forEach((key, amount) -> {
                if (key.startsWith(OPEN) && amount != 0) {
                    out.add(key.substring(OPEN.length()));
                }
            });
            return out;
        }

        /** What every account's open reservations hold, by account (those holding nothing left out). */
        public Map<String, Long> reserved() {
            return amounts(true);
        }

        /** Every amount after the head's last batch, balances and held amounts, as a checkpoint keeps them. */
        Map<String, Long> all() {
            var all = new HashMap<String, Long>(base == null ? Map.of() : base.balances());
            all.putAll(delta);
            return all;
        }

        private Map<String, Long> amounts(boolean held) {
            var out = new HashMap<String, Long>();
            all().forEach((key, amount) -> {
                if (held && key.startsWith(HELD) && amount != 0) {
                    out.put(key.substring(HELD.length()), amount);
                } else if (!held && !key.startsWith(HELD) && !key.startsWith(OPEN)) {
                    out.put(key, amount);
                }
            });
            return out;
        }

        /** How many balances the head and its base hold together, at most. */
        int size() {
            return delta.size() + (base == null ? 0 : base.balances().size());
        }
    }

    /**
     * Every balance at one committed place ({@code ledger:balances:<place>-<head revision>}), stored
     * as the attachment of a document: CouchDB hands only the attachment's stub to {@code
     * validate_doc_update}, not its content, and the document is never changed. Its id names the
     * committed head it copies, so two writers of one id write the same content.
     */
    public record Checkpoint(String id, Map<String, Long> balances) {
    }

    /** The checkpoint read or written last: checkpoints never change, and a head names the latest. */
    private volatile Checkpoint lastCheckpoint;

    private Checkpoint checkpoint(String id) {
        var known = lastCheckpoint;
        if (known != null && known.id().equals(id)) {
            return known;
        }
        Answer answer;
        try {
            answer = request(base -> new HttpGet(docUri(base, id, "/" + BALANCES)));
        } catch (NoDocumentException e) {
            throw new CouchDbException("the ledger's checkpoint " + id + " is missing", e);
        }
        if (answer.status() != 200 || !answer.body().isJsonObject()) {
            throw new CouchDbException("the ledger's checkpoint " + id + " could not be read: HTTP " + answer.status());
        }
        var balances = amounts(answer.body().getAsJsonObject());
        var read = new Checkpoint(id, balances);
        lastCheckpoint = read;
        return read;
    }

    /** Writes every balance of a committed head as a checkpoint (or finds it written, with the same content). */
    private Checkpoint checkpoint(Head head) {
        var id = "ledger:balances:" + head.seq() + "-" + head.rev();
        var all = head.all();
        all.entrySet().removeIf(e -> e.getValue() == 0 && e.getKey().startsWith(Head.OPEN)); // settled reservations: absent reads as 0
        var balances = Map.copyOf(all);
        var json = json(balances);
        var w = copies() > 1 ? "?w=" + copies() : "";
        var answer = request(base -> {
            var put = new HttpPut(docUri(base, id, "/" + BALANCES + w));
            put.setEntity(new StringEntity(json.toString(), ContentType.APPLICATION_JSON));
            return put;
        });
        if (answer.status() != 201 && answer.status() != 202 && answer.status() != 409) {
            throw new CouchDbException("PUT of the checkpoint " + id + ": HTTP " + answer.status() + " " + answer.body());
        }
        var written = new Checkpoint(id, balances);
        lastCheckpoint = written;
        return written;
    }

    private static final String BALANCES = "balances.json";

    /** Amounts by account, as the head and a checkpoint store them: a JSON object in key order. */
    private static JsonObject json(Map<String, Long> amounts) {
        var json = new JsonObject();
        new TreeMap<>(amounts).forEach(json::addProperty);
        return json;
    }

    private static Map<String, Long> amounts(JsonObject json) {
        var amounts = new HashMap<String, Long>();
        json.entrySet().forEach(e -> amounts.put(e.getKey(), e.getValue().getAsLong()));
        return Map.copyOf(amounts);
    }

    /**
     * How many changed balances a head may hold before its commit starts from a new checkpoint: four
     * times the square root of the balances in use. A commit rewrites the head's changed balances,
     * and a checkpoint all of them, so this keeps both costs, per transfer, near the same small
     * figure (among 100,000 accounts, about 1,300 changed balances at most).
     */
    static int deltaCap(Head head) {
        return Math.max(MIN_DELTA_CAP, (int) (4 * Math.sqrt(head.size())));
    }

    /** Below this many changed balances a head never starts from a new checkpoint. */
    static final int MIN_DELTA_CAP = 64;

    /**
     * What a write of the head came to. On a CouchDB cluster a write guarded by {@code _rev} is no
     * commit point by itself: two coordinators can each accept a write of the same revision, and the
     * database keeps both as conflicting revisions, choosing a winner by its revision id, whoever
     * was answered. So the head is written with {@code w} equal to the number of copies: only when
     * every copy took the revision (201) is it {@code COMMITTED}. No copy then still holds its parent
     * as a leaf, so no other revision of the same parent can ever be written; any other branch is
     * shallower and loses, and its decisions were never answered. A write that not every copy took
     * (202) is {@code UNCERTAIN}: nothing in it is answered until a later write on top of it commits.
     */
    public enum Outcome { COMMITTED, UNCERTAIN, CONFLICT }

    /** A head write's outcome; {@code head} is the head it made when that is the current one (committed, not rotated). */
    public record Written(Outcome outcome, String rev, Head head) {
        Written(Outcome outcome, String rev) {
            this(outcome, rev, null);
        }
    }

    /** How many copies the database keeps of each document: 1 on a single server, the cluster's {@code n} on a CouchDB cluster. */
    private volatile int copies;

    int copies() {
        if (copies == 0) {
            var info = request(HttpGet::new);
            var cluster = info.body().isJsonObject() ? info.body().getAsJsonObject().getAsJsonObject("cluster") : null;
            copies = cluster != null && cluster.has("n") ? Math.max(1, cluster.get("n").getAsInt()) : 1;
        }
        return copies;
    }

    private record Answer(int status, JsonElement body) {
    }

    /**
     * A request LightCouch would parse wrongly or not at all, made from the database's URI ({@code
     * base}, ending in '/') of the coordinator in use; any status but those the caller handles is
     * CouchDB failing.
     */
    private Answer request(Function<String, HttpRequestBase> make) {
        return couch(db -> {
            var request = make.apply(db.getDBUri().toString());
            HttpResponse response;
            try {
                response = db.executeRequest(request);
            } catch (DocumentConflictException e) {
                return new Answer(409, new JsonObject()); // LightCouch reads a 409 itself
            }
            return read(request, response);
        });
    }

    private static Answer read(HttpRequestBase request, HttpResponse response) {
        try {
            var entity = response.getEntity();
            var text = entity == null ? "" : EntityUtils.toString(entity, StandardCharsets.UTF_8);
            var status = response.getStatusLine().getStatusCode();
            JsonElement body;
            try {
                body = text.isBlank() ? new JsonObject() : JsonParser.parseString(text);
            } catch (RuntimeException notJson) {
                body = new JsonObject();
            }
            if (status >= 500 || status == 401 || status == 403) {
                throw new CouchDbException(request.getMethod() + " " + request.getURI().getPath() + ": HTTP " + status + " " + text);
            }
            return new Answer(status, body);
        } catch (IOException e) {
            throw new CouchDbException("reading CouchDB's answer failed", e);
        } finally {
            EntityUtils.consumeQuietly(response.getEntity());
        }
    }

    private static String docUri(String base, String id, String query) {
        return base + URLEncoder.encode(id, StandardCharsets.UTF_8) + query;
    }

    private record BulkResult(String id, String rev, String error, String reason) {
    }

    /**
     * Writes documents in one {@code _bulk_docs} request, each taken by every copy before the answer
     * ({@code w}): a decision written onto its transfer is then found by any read, a view's included,
     * whichever copy serves it. Each document's error, if any, is in its own result.
     */
    private List<BulkResult> bulk(List<JsonObject> docs) {
        var body = new JsonObject();
        var array = new JsonArray();
        docs.forEach(array::add);
        body.add("docs", array);
        var w = copies() > 1 ? "?w=" + copies() : "";
        var answer = request(base -> {
            var post = new HttpPost(base + "_bulk_docs" + w);
            post.setEntity(new StringEntity(body.toString(), ContentType.APPLICATION_JSON));
            return post;
        });
        if (answer.status() != 201 && answer.status() != 202 || !answer.body().isJsonArray()) {
            throw new CouchDbException("_bulk_docs: HTTP " + answer.status() + " " + answer.body());
        }
        var results = new ArrayList<BulkResult>();
        for (var element : answer.body().getAsJsonArray()) {
            var o = element.getAsJsonObject();
            var error = o.has("error") ? o.get("error").getAsString() : null;
            // a conflict, or (PouchDB Server runs validate_doc_update before its conflict check) a
            // refusal of a change to a document that is there: the caller reads the document again.
            // Anything else (unauthorized, a server error) is CouchDB failing this write
            if (error != null && !"conflict".equals(error) && !"forbidden".equals(error)) {
                throw new CouchDbException("_bulk_docs: " + o.get("id").getAsString() + " was not written: " + o);
            }
            results.add(new BulkResult(o.get("id").getAsString(), o.has("rev") ? o.get("rev").getAsString() : null, error,
                    o.has("reason") ? o.get("reason").getAsString() : null));
        }
        return results;
    }

    /** A head write that every copy must take: see {@link Outcome}. */
    private Written putHead(JsonObject doc) {
        var w = copies() > 1 ? "?w=" + copies() : "";
        var answer = request(base -> {
            var put = new HttpPut(docUri(base, doc.get("_id").getAsString(), w));
            put.setEntity(new StringEntity(doc.toString(), ContentType.APPLICATION_JSON));
            return put;
        });
        return switch (answer.status()) {
            case 201 -> new Written(Outcome.COMMITTED, answer.body().getAsJsonObject().get("rev").getAsString());
            case 202 -> new Written(Outcome.UNCERTAIN, answer.body().getAsJsonObject().get("rev").getAsString());
            case 409 -> new Written(Outcome.CONFLICT, null);
            default -> throw new CouchDbException("PUT of the head: HTTP " + answer.status() + " " + answer.body());
        };
    }

    /**
     * Removes a conflicting revision of the head: one that lost to the winner, which by {@link Outcome}
     * was never committed, so nothing decided in it was answered.
     */
    private void discard(String id, String rev) {
        var query = "?rev=" + URLEncoder.encode(rev, StandardCharsets.UTF_8) + (copies() > 1 ? "&w=" + copies() : "");
        request(base -> new HttpDelete(docUri(base, id, query)));
    }

    /**
     * A head document is rotated after this many revisions: CouchDB carries the ids of a document's
     * past revisions (up to 1,000) on every write of it, and PouchDB Server cannot lower that limit;
     * measured, the head's writes slowed the ledger by a third once it passed 1,000 revisions.
     */
    static final int ROTATE_AFTER = 200;

    /** {@link #ROTATE_AFTER}, lower in tests. */
    volatile int rotateAfter = ROTATE_AFTER;

    /** The head's epoch this node last saw: the head is {@code ledger:head} (epoch 0), then {@code ledger:head:<n>}. */
    private volatile long epoch;

    static String headId(long epoch) {
        return epoch == 0 ? HEAD : HEAD + ":" + epoch;
    }

    /**
     * The current head: the head document of the newest epoch. A closed one names the next; a closed
     * one whose next is missing (its rotator died in between) gets its next made here, from its state.
     */
    public Head head() {
        var e = epoch;
        while (true) {
            JsonObject doc;
            try {
                var id = headId(e);
                doc = couch(db -> db.find(JsonObject.class, id, new Params().conflicts()));
            } catch (NoDocumentException missing) {
                if (e == 0) {
                    throw missing;
                }
                e = e - 1; // a closed head whose next is not there yet: make it from the closed one
                var closedId = headId(e);
                doc = couch(db -> db.find(JsonObject.class, closedId));
                open(doc, e + 1);
                continue;
            }
            if (doc.has("_conflicts")) {
                for (var loser : doc.getAsJsonArray("_conflicts")) {
                    discard(headId(e), loser.getAsString());
                }
                continue; // read it again: nothing is decided on a head with a rival
            }
            if (doc.has("closed") && doc.get("closed").getAsBoolean()) {
                e = e + 1;
                continue;
            }
            epoch = e;
            return parse(doc, e);
        }
    }

    private Head parse(JsonObject doc, long epoch) {
        var balances = amounts(doc.getAsJsonObject("balances"));
        var base = doc.has("base") ? checkpoint(doc.get("base").getAsString()) : null;
        return new Head(doc.get("_rev").getAsString(), doc.get("seq").getAsLong(), balances, base, batch(doc), epoch,
                doc.has("by") ? doc.get("by").getAsString() : null);
    }

    private static List<Decision> batch(JsonObject head) {
        var batch = new ArrayList<Decision>();
        for (var element : head.getAsJsonArray("batch")) {
            var d = element.getAsJsonObject();
            var unstored = d.has("from") ? fresh(d) : null;
            batch.add(new Decision(d.get("id").getAsString(), TransferStatus.ofWire(d.get("status").getAsString()),
                    d.has("reason") ? d.get("reason").getAsString() : null, d.get("seq").getAsLong(), unstored,
                    d.has("at") ? Instant.ofEpochMilli(d.get("at").getAsLong()) : null));
        }
        return batch;
    }

    /** Creates the head of epoch {@code next} with the state of a closed head; one writer wins, the others find it there. */
    private void open(JsonObject closed, long next) {
        var doc = closed.deepCopy();
        doc.remove("_rev");
        doc.remove("closed");
        doc.remove("next");
        doc.addProperty("_id", headId(next));
        putHead(doc); // a conflict: another node opened it, with the same content
    }

    /**
     * Commits a batch of decisions: the head moves from {@code head} to the new balances and
     * sequence number only if nobody moved it meanwhile ({@code _rev}), on every copy (see
     * {@link Outcome}).
     */
    public Written commit(Head head, Map<String, Long> changed, List<Decision> batch) {
        var delta = new HashMap<>(head.delta());
        delta.putAll(changed);
        var base = head.base();
        if (delta.size() > deltaCap(head)) {
            // the head is committed (a round decides only on such a head), so its balances are final:
            // the checkpoint copies them, and this commit starts from it with the batch's changes only
            base = checkpoint(head);
            delta = new HashMap<>(changed);
        }
        var next = new Head(null, head.seq() + batch.size(), Map.copyOf(delta), base, List.copyOf(batch), head.epoch(), node);
        var written = write(head, next);
        if (written.outcome() != Outcome.COMMITTED) {
            return written;
        }
        // on a cluster the head is not rotated (see install): moving to a next document is one more
        // commit point, and a rotation that not every copy took could leave two heads in use
        if (copies() == 1 && Long.parseLong(written.rev().substring(0, written.rev().indexOf('-'))) >= rotateAfter) {
            rotate(headDoc(head.epoch(), next), written.rev(), head.epoch());
            return written;
        }
        return new Written(written.outcome(), written.rev(),
                new Head(written.rev(), next.seq(), next.delta(), next.base(), next.batch(), head.epoch(), node));
    }

    /**
     * Writes the head again as it is, to commit it: a head whose batch is not on its transfers may be
     * one that not every copy took, or whose resolver died before writing the batch out.
     */
    public Written confirm(Head head) {
        return write(head, head);
    }

    /** True when the head, read from every copy, has no conflicting revision. */
    public boolean alone(long epoch) {
        if (copies() == 1) {
            return true; // one copy: a write guarded by _rev leaves no rival
        }
        var query = "?conflicts=true" + (copies() > 1 ? "&r=" + copies() : "");
        var answer = request(base -> new HttpGet(docUri(base, headId(epoch), query)));
        return answer.status() == 200 && !answer.body().getAsJsonObject().has("_conflicts");
    }

    /** True when every decision of the batch is on its transfer, at its place: written out after a commit, never before. */
    public boolean applied(List<Decision> batch) {
        if (batch.isEmpty()) {
            return true;
        }
        var places = new HashMap<String, Long>();
        for (var doc : docs(batch.stream().map(d -> "transfer:" + d.id()).toList())) {
            if (doc.has("seq")) {
                places.put(doc.get("id").getAsString(), doc.get("seq").getAsLong());
            }
        }
        return batch.stream().allMatch(d -> Objects.equals(places.get(d.id()), d.seq()));
    }

    /** Writes {@code next} over {@code head}, guarded by the head's {@code _rev}. */
    private Written write(Head head, Head next) {
        var doc = headDoc(head.epoch(), next);
        doc.addProperty("_rev", head.rev());
        doc.addProperty("parent", head.rev()); // a node that follows learns from it that the parent was committed
        if (relayAddress != null) {
            doc.addProperty("relay", relayAddress); // the other nodes send their callers' transfers there
        }
        return putHead(doc);
    }

    /** The head's document: "balances" holds the balances changed since "base", the checkpoint's id. */
    private static JsonObject headDoc(long epoch, Head head) {
        var doc = new JsonObject();
        doc.addProperty("_id", headId(epoch));
        doc.addProperty("type", "head");
        doc.addProperty("seq", head.seq());
        doc.add("balances", json(head.delta()));
        if (head.base() != null) {
            doc.addProperty("base", head.base().id());
        }
        if (head.by() != null) {
            doc.addProperty("by", head.by());
        }
        var decisions = new JsonArray();
        for (var d : head.batch()) {
            var o = new JsonObject();
            o.addProperty("id", d.id());
            o.addProperty("status", d.status().wire());
            if (d.reason() != null) {
                o.addProperty("reason", d.reason());
            }
            o.addProperty("seq", d.seq());
            if (d.at() != null) {
                o.addProperty("at", d.at().toEpochMilli());
            }
            if (d.transfer() != null) { // decided before it was stored: the head carries it whole
                freshJson(d.transfer()).entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
            }
            decisions.add(o);
        }
        doc.add("batch", decisions);
        return doc;
    }

    /**
     * Closes a head document that has many revisions and opens the next epoch's with its state. The
     * close is a write guarded by {@code _rev} like a commit: after it no decision can be committed to
     * the old document (a commit needs its latest revision, which is now closed), and the new one
     * starts from exactly the closed state. Whoever finds a closed head without its next makes it.
     */
    private void rotate(JsonObject committed, String rev, long current) {
        var closing = committed.deepCopy();
        closing.addProperty("_rev", rev);
        closing.addProperty("closed", true);
        closing.addProperty("next", current + 1);
        if (putHead(closing).outcome() != Outcome.COMMITTED) {
            return; // someone committed on top meanwhile, or not every copy took it: a later commit rotates
        }
        open(closing, current + 1);
        epoch = current + 1;
    }

    /**
     * Writes committed decisions onto their transfers (roll forward): each transfer still pending
     * takes its status, place and reason; one already decided is left alone; one the log does not
     * hold yet is written whole, as decided, from what its decision carries. Idempotent: any node
     * may do it, any number of times.
     */
    public void apply(List<Decision> decisions) {
        apply(decisions, null);
    }

    /**
     * A transfer as read, with the revision of its document: what a write of its decision must name.
     * A null {@code rev}: the log does not hold it yet, and its decision is written as a new document.
     */
    public record StoredTransfer(Transfer transfer, String rev) {
    }

    /**
     * {@link #apply(List)}, starting from these transfers as read (with their {@code _rev}, or none
     * for one the log does not hold yet): no read before the first write. A transfer changed since is
     * read again. Answers the transfers of the decisions as written, by this call or by another.
     */
    public List<Transfer> apply(List<Decision> decisions, List<StoredTransfer> asRead) {
        var written = new ArrayList<Transfer>();
        var remaining = new LinkedHashMap<String, Decision>();
        decisions.forEach(d -> remaining.put(d.id(), d));
        var refused = new HashMap<String, String>(); // a new document refused: still missing on a later read, it stays refused
        for (int round = 0; !remaining.isEmpty(); round++) {
            if (round > 20) {
                throw new CouchDbException("could not write " + remaining.size() + " decided transfer(s) after 20 rounds");
            }
            var now = Instant.now().toEpochMilli();
            var current = new HashMap<String, JsonObject>();
            (round == 0 && asRead != null ? asRead.stream().filter(st -> st.rev() != null).map(CouchLedgerStore::doc).toList()
                    : docs(remaining.keySet().stream().map(id -> "transfer:" + id).toList()))
                    .forEach(doc -> current.put(doc.get("id").getAsString(), doc));
            var updates = new ArrayList<JsonObject>();
            for (var d : List.copyOf(remaining.values())) {
                var doc = current.get(d.id());
                if (doc == null && refused.containsKey(d.id())) {
                    // committed, and the database will not take it: nothing is decided on top until it does
                    throw new CouchDbException("transfer " + d.id() + " was refused by the database (" + refused.get(d.id())
                            + "); its decision is committed, and is written out once the database takes it");
                }
                if (doc == null && d.transfer() != null) {
                    doc = pendingDoc(d.transfer());
                } else if (doc == null) {
                    throw new CouchDbException("transfer " + d.id() + " of a committed batch is not in the log");
                } else if (!"pending".equals(doc.get("status").getAsString())) {
                    remaining.remove(d.id()); // decided already (by another node rolling forward)
                    written.add(transfer(doc));
                    continue;
                }
                doc.remove("linked"); // a batch's first, decided: each of the others is a transfer of the log now
                doc.addProperty("status", d.status().wire());
                doc.addProperty("seq", d.seq());
                doc.addProperty("resolvedAt", d.at() != null ? d.at().toEpochMilli() : now); // the same whoever writes it
                if (d.reason() != null) {
                    doc.addProperty("reason", d.reason());
                }
                updates.add(doc);
            }
            if (updates.isEmpty()) {
                return written;
            }
            var byId = new HashMap<String, JsonObject>();
            updates.forEach(doc -> byId.put(doc.get("_id").getAsString(), doc));
            for (var result : bulk(updates)) {
                var id = result.id().substring("transfer:".length());
                if (result.error() == null) {
                    remaining.remove(id);
                    written.add(transfer(byId.get(result.id())));
                } else if ("forbidden".equals(result.error()) && !byId.get(result.id()).has("_rev")) {
                    refused.put(id, result.reason());
                } // a conflict (stored meanwhile, or written out by another node): read again in the next round
            }
        }
        return written;
    }

    /** What the database's changes feed gave: the documents changed, as they were read, and where to go on from. */
    public record Changes(List<JsonObject> docs, String last) {
    }

    /** Where the changes feed is now: the database's update sequence (opaque on Apache CouchDB). */
    public String feedNow() {
        var seq = request(HttpGet::new).body().getAsJsonObject().get("update_seq");
        return seq.isJsonPrimitive() ? seq.getAsString() : seq.toString();
    }

    /**
     * The documents changed since {@code since}, with their content; waits up to {@code waitMillis}
     * for a change when there is none yet ({@code feed=longpoll}). Where the server can, only the
     * documents a node follows come: the head (this epoch's and the next) if {@code heads}, the
     * inboxes if {@code inboxes}. Apache CouchDB picks them by id from its index of changes without
     * reading any other document.
     */
    public Changes changes(String since, int waitMillis, int limit, boolean heads, boolean inboxes) {
        var query = "_changes?feed=longpoll&include_docs=true&limit=" + limit + "&timeout=" + waitMillis
                + "&since=" + URLEncoder.encode(since, StandardCharsets.UTF_8);
        JsonObject body;
        if (feedById()) {
            var ids = new JsonArray();
            if (heads) {
                ids.add(headId(epoch));
                ids.add(headId(epoch + 1));
            }
            if (inboxes) {
                inboxIds().forEach(ids::add);
            }
            var filter = new JsonObject();
            filter.add("doc_ids", ids);
            body = request(base -> {
                var post = new HttpPost(base + query + "&filter=_doc_ids");
                post.setEntity(new StringEntity(filter.toString(), ContentType.APPLICATION_JSON));
                return post;
            }).body().getAsJsonObject();
        } else {
            body = request(base -> new HttpGet(base + query)).body().getAsJsonObject();
        }
        var docs = new ArrayList<JsonObject>();
        for (var row : body.getAsJsonArray("results")) {
            var doc = row.getAsJsonObject().get("doc");
            if (doc != null && doc.isJsonObject()) {
                docs.add(doc.getAsJsonObject());
                var id = doc.getAsJsonObject().get("_id").getAsString();
                if (id.startsWith(HEAD + ":")) {
                    // a head of a later epoch: the feed follows that one (and its next) from now on
                    var seenEpoch = Long.parseLong(id.substring(HEAD.length() + 1));
                    if (seenEpoch > epoch) {
                        epoch = seenEpoch;
                    }
                }
            }
        }
        var last = body.get("last_seq");
        return new Changes(docs, last.isJsonPrimitive() ? last.getAsString() : last.toString());
    }

    private static List<String> inboxIds() {
        var ids = new ArrayList<String>();
        for (int slot = 0; slot < INBOX_SLOTS; slot++) {
            ids.add(INBOX + slot);
        }
        return ids;
    }

    /** Every inbox document as it is now. */
    public List<JsonObject> inboxesNow() {
        return docs(inboxIds());
    }

    private volatile Boolean feedById;

    /**
     * Whether the server's changes feed picks documents by id with their content: Apache CouchDB does;
     * PouchDB Server answers such a feed without the documents' content. Without it, every node reads
     * every change.
     */
    boolean feedById() {
        if (feedById == null) {
            var root = couch(db -> {
                var get = new HttpGet(db.getBaseUri());
                return read(get, db.executeRequest(get));
            }).body();
            feedById = root.isJsonObject() && root.getAsJsonObject().has("couchdb");
        }
        return feedById;
    }

    static final String INBOX = "ledger:inbox:";
    /**
     * How many inbox documents there are: each node writes to one, chosen by its name, and the feed
     * follows them all by id. Two nodes that share one each keep their own entry in it.
     */
    static final int INBOX_SLOTS = 16;
    private final String inboxId = INBOX + Math.floorMod(node.hashCode(), INBOX_SLOTS);
    /** This node's inbox document as this node last wrote it (the other nodes' entries as they were then). */
    private JsonObject inbox;

    /**
     * Hands transfers to the node that decides, in one write: this node's entry in its inbox
     * document, written over with the transfers this node's callers now wait for. The deciding node
     * finds the inbox in its changes feed.
     */
    public synchronized void handOver(Collection<Transfer> transfers) {
        var array = new JsonArray();
        for (var t : transfers) {
            array.add(freshJson(t));
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            if (inbox == null) {
                try {
                    inbox = request(base -> new HttpGet(docUri(base, inboxId, ""))).body().getAsJsonObject();
                } catch (NoDocumentException missing) {
                    inbox = new JsonObject();
                }
                inbox.addProperty("_id", inboxId);
                inbox.addProperty("type", "inbox");
                if (!inbox.has("nodes")) {
                    inbox.add("nodes", new JsonObject());
                }
            }
            inbox.getAsJsonObject("nodes").add(node, array);
            var doc = inbox;
            var answer = request(base -> {
                var put = new HttpPut(docUri(base, inboxId, ""));
                put.setEntity(new StringEntity(doc.toString(), ContentType.APPLICATION_JSON));
                return put;
            });
            if (answer.status() == 201 || answer.status() == 202) {
                inbox.addProperty("_rev", answer.body().getAsJsonObject().get("rev").getAsString());
                return;
            }
            if (answer.status() != 409) {
                throw new CouchDbException("PUT of the inbox: HTTP " + answer.status() + " " + answer.body());
            }
            inbox = null; // another node wrote its entry meanwhile: read it, and write this one's beside it
        }
        throw new CouchDbException("the inbox " + inboxId + " kept changing under this node");
    }

    /** Transfers another node handed over, and that node's name. */
    record Inbox(String by, List<Transfer> transfers) {
    }

    /** A document of the feed as the inboxes of the nodes that wrote to it (none if it is no inbox). */
    static List<Inbox> inboxes(JsonObject doc) {
        if (!"inbox".equals(doc.has("type") ? doc.get("type").getAsString() : null) || !doc.has("nodes")) {
            return List.of();
        }
        var out = new ArrayList<Inbox>();
        for (var entry : doc.getAsJsonObject("nodes").entrySet()) {
            var transfers = new ArrayList<Transfer>();
            for (var element : entry.getValue().getAsJsonArray()) {
                transfers.add(fresh(element.getAsJsonObject()));
            }
            out.add(new Inbox(entry.getKey(), transfers));
        }
        return out;
    }

    /** A document of the feed as a transfer, if it is one. */
    static Optional<Transfer> asTransfer(JsonObject doc) {
        return "transfer".equals(doc.has("type") ? doc.get("type").getAsString() : null) && doc.has("status")
                ? Optional.of(transfer(doc)) : Optional.empty();
    }

    /** A head of the feed: its place and who committed it. */
    record Committed(long seq, String by) {
    }

    /** The address a head names for relaying transfers to its committer ("relay"), if it names one. */
    static Optional<String> relay(JsonObject doc) {
        return "head".equals(doc.has("type") ? doc.get("type").getAsString() : null) && doc.has("relay")
                ? Optional.of(doc.get("relay").getAsString()) : Optional.empty();
    }

    /** A head as the feed shows it: its revision, the one it was written on ({@code parent}), its place and its batch. */
    record Seen(String rev, String parent, long seq, List<Decision> batch) {
    }

    /** A document of the feed as a head, if it is one. */
    static Optional<Seen> seen(JsonObject doc) {
        return "head".equals(doc.has("type") ? doc.get("type").getAsString() : null) && doc.has("seq") && doc.has("batch")
                ? Optional.of(new Seen(doc.get("_rev").getAsString(), doc.has("parent") ? doc.get("parent").getAsString() : null,
                        doc.get("seq").getAsLong(), batch(doc)))
                : Optional.empty();
    }

    /** A document of the feed as a head's place and committer ("by"), if it is a head that names one. */
    static Optional<Committed> committed(JsonObject doc) {
        return "head".equals(doc.has("type") ? doc.get("type").getAsString() : null) && doc.has("by") && doc.has("seq")
                ? Optional.of(new Committed(doc.get("seq").getAsLong(), doc.get("by").getAsString())) : Optional.empty();
    }

    /** These transfers as they are now, with their {@code _rev}; missing ones are left out. */
    public List<StoredTransfer> stored(Collection<String> ids) {
        return docs(ids.stream().map(id -> "transfer:" + id).toList()).stream().map(CouchLedgerStore::stored).toList();
    }

    /** The oldest pending transfers (timestamp, then id) found through the view, read again as they are now (with {@code _rev}). */
    public List<StoredTransfer> oldestPending(int limit) {
        return pendingDocs(db -> db.view("ledger/oldest-pending").limit(limit)).stream().map(CouchLedgerStore::stored).toList();
    }


    /**
     * Reservations that no settlement has settled yet, soonest to time out first, up to {@code limit};
     * only those timing out before {@code before} when it is given. The head names the open ones, so
     * this reads them and no settled one: its cost follows what is open, not the history.
     */
    public List<Transfer> openReservations(Instant before, int limit) {
        var ids = head().open().stream().map(id -> "transfer:" + id).toList();
        return docs(ids).stream().map(CouchLedgerStore::transfer)
                .filter(r -> r.expiresAt() != null && (before == null || r.expiresAt().isBefore(before)))
                .sorted(Comparator.comparing(Transfer::expiresAt).thenComparing(Transfer::id))
                .limit(limit).toList();
    }

    /** Whether a settlement decided so settled its reservation: posted, voided or expired (one settling it first rejects the others). */
    private static boolean settles(String status) {
        return "posted".equals(status) || "voided".equals(status) || "expired".equals(status);
    }

    private List<JsonObject> pendingDocs(Function<CouchDbClient, View> view) {
        var rows = couch(db -> view.apply(db).queryView(JsonArray.class, JsonElement.class, JsonObject.class).getRows());
        return docs(rows.stream().map(r -> "transfer:" + r.getKey().get(1).getAsString()).toList());
    }

    /** An account's decided transfers, newest first, before the place {@code beforeSeq} (exclusive). */
    public List<Transfer> statement(String account, long beforeSeq, int limit) {
        // descending: from [account, before) down to [account, 0]; {} sorts after every number
        Object from = beforeSeq == Long.MAX_VALUE ? new JsonObject() : (Object) (beforeSeq - 1);
        var rows = couch(db -> db.view("ledger/statement").startKey(account, from).endKey(account, 0).descending(true).limit(limit).includeDocs(true)
                .queryView(JsonArray.class, Long.class, JsonObject.class).getRows());
        return rows.stream().map(r -> r.getDoc() == null ? null : transfer(r.getDoc())).filter(Objects::nonNull).toList();
    }

    /** Every balance recomputed from the log (successful transfers): a full pass over the history. */
    public Map<String, Long> balancesFromLog() {
        var out = new TreeMap<String, Long>();
        couch(db -> db.view("ledger/balance-available").group(true).queryView(String.class, Long.class, JsonObject.class).getRows())
                .forEach(r -> out.put(r.getKey(), r.getValue()));
        return out;
    }

    /**
     * The whole log read once: every balance from the successful transfers and the posted settlements,
     * what each account's open reservations hold (its reservations less their settlements), and the
     * places of the decided ones.
     */
    public record LogScan(Map<String, Long> balances, Map<String, Long> reserved, List<Long> places, long transfers, List<Transfer> pending) {
    }

    /**
     * Reads every transfer once, in pages of the primary index ({@code _all_docs}): no view, so no index
     * to build and no reduce to recompute (PouchDB Server recomputes reductions on every query).
     */
    public LogScan scanLog(int pageSize) {
        var balances = new TreeMap<String, Long>();
        var reserved = new TreeMap<String, Long>();
        var places = new ArrayList<Long>();
        var pending = new ArrayList<Transfer>();
        var transfers = new long[1];
        eachDocument("transfer:", pageSize, doc -> {
            if (!doc.has("status")) {
                return;
            }
            transfers[0]++;
            var status = doc.get("status").getAsString();
            if ("pending".equals(status)) {
                pending.add(transfer(doc));
            } else if (doc.has("seq")) {
                places.add(doc.get("seq").getAsLong());
            }
            if ("successful".equals(status) || "posted".equals(status)) {
                long amount = doc.get("amount").getAsLong();
                balances.merge(doc.get("from").getAsString(), -amount, Long::sum);
                balances.merge(doc.get("to").getAsString(), amount, Long::sum);
            }
            if ("reserved".equals(status)) {
                reserved.merge(doc.get("from").getAsString(), doc.get("amount").getAsLong(), Long::sum);
            } else if (doc.has("held") && settles(status)) {
                reserved.merge(doc.get("from").getAsString(), -doc.get("held").getAsLong(), Long::sum);
            }
        });
        Collections.sort(places);
        reserved.values().removeIf(amount -> amount == 0);
        return new LogScan(balances, reserved, places, transfers[0], pending);
    }


    private static boolean forbidden(CouchDbException e) {
        return e.getMessage() != null && e.getMessage().contains("\"forbidden\"");
    }

    private List<JsonObject> docs(List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        var out = new ArrayList<JsonObject>();
        var rows = couch(db -> db.view("_all_docs").keys(ids).includeDocs(true).queryView(String.class, JsonElement.class, JsonObject.class).getRows());
        for (var row : rows) {
            if (row.getDoc() != null) {
                out.add(row.getDoc());
            }
        }
        return out;
    }

    private static StoredTransfer stored(JsonObject doc) {
        return new StoredTransfer(transfer(doc), doc.get("_rev").getAsString());
    }

    /** The document of a transfer as read: only a pending one is written back. */
    private static JsonObject doc(StoredTransfer stored) {
        var doc = pendingDoc(stored.transfer());
        doc.addProperty("_rev", stored.rev());
        return doc;
    }

    /** A transfer as the fields {@link #transfer(JsonObject)} reads (no document id or revision). */
    static JsonObject transferJson(Transfer t) {
        var doc = pendingDoc(t);
        doc.remove("_id");
        doc.addProperty("status", t.status().wire());
        if (t.reason() != null) {
            doc.addProperty("reason", t.reason());
        }
        if (t.seq() != null) {
            doc.addProperty("seq", t.seq());
        }
        if (t.resolvedAt() != null) {
            doc.addProperty("resolvedAt", t.resolvedAt().toEpochMilli());
        }
        return doc;
    }

    static Transfer transfer(JsonObject doc) {
        return new Transfer(doc.get("id").getAsString(), doc.get("from").getAsString(), doc.get("to").getAsString(),
                doc.get("amount").getAsLong(), Instant.ofEpochMilli(doc.get("timestamp").getAsLong()),
                TransferStatus.ofWire(doc.get("status").getAsString()),
                doc.has("reason") ? doc.get("reason").getAsString() : null,
                doc.has("seq") ? doc.get("seq").getAsLong() : null,
                doc.has("resolvedAt") ? Instant.ofEpochMilli(doc.get("resolvedAt").getAsLong()) : null, twoPhase(doc), link(doc));
    }
}
