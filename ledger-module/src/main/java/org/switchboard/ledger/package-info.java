/**
 * The ledger: atomic bank transfers recorded in a CouchDB transaction log (through LightCouch).
 *
 * <p>The classic shape is kept: the log of transfers ({@code transfer:<id>}: from, to, amount in minor
 * units, timestamp, status pending, successful or rejected) is the record; the design document holds
 * the classic views ({@code balance-available} over successful transfers, {@code oldest-pending}), a
 * statement per account (the accounts and the whole log are read from the primary index, no view);
 * a resolver settles pending
 * transfers in order (timestamp, then id); {@code transfer()} stores a pending transfer, resolves up
 * to it and reports a rejection.
 *
 * <p>What is different, and why it is correct:
 * <ul>
 * <li><b>One commit point.</b> Every decision is committed by one write to one document, the head
 * ({@code ledger:head}), guarded by its {@code _rev}: it holds the number of transfers decided so
 * far, every account's balance after them (those changed lately, and the id of a checkpoint that
 * holds the others), and the batch it decided last. CouchDB accepts exactly one
 * of several writes made against the same {@code _rev} (a stale one gets 409), so the heads form one
 * sequence, and each batch is decided on the exact balances the batch before it left. Two resolvers
 * racing (on one node or on several) cannot both commit a batch from the same head: the loser reads
 * the new head and decides again. The classic algorithm's double spend (two resolvers each see 50 and each send
 * 50) needs two decisions made on the same balance; here the second one's commit fails.</li>
 * <li><b>No decision on a stale or indexed read.</b> The balances come from the head, read whole
 * with its {@code _rev}; the pending transfers are found through the view but read again as they are
 * now ({@code _all_docs} by id), and one that is no longer pending is left alone. The views serve the
 * statement, listings and the invariant check, never a decision. A late transfer with an older
 * timestamp is simply decided in the next batch: its place ({@code seq}) is where it was decided.
 * The timestamp orders the transfers within a batch and is shown; the place is the total order.
 * Two reads are skipped, with the same guarantee: a node decides on the head its own last commit
 * made, and on the transfers it stored since that commit, as it stored them. Anyone else's decision
 * in between would have moved the head, so the commit fails on the {@code _rev} and the round reads
 * both again ({@code Resolver.Known}, {@code Resolver.Unread}).</li>
 * <li><b>Exactly once, even if a resolver dies.</b> After committing, the resolver writes each
 * decision onto its transfer (status, place, reason). If it dies in between, the decisions are in the
 * head's last batch: every round of every resolver first writes that batch (idempotently: a transfer
 * already decided is left alone) before it decides anything, so a batch is always written out before
 * the next one can be committed. A {@code validate_doc_update} function makes the database refuse any
 * change to a decided transfer, a transfer stored decided without a place, and any change of an
 * account's rules. The check verifies that the places of the decided transfers are exactly 1 to N.</li>
 * <li><b>Written once.</b> The node that decides takes its callers' transfers into a round without
 * storing them first, and writes each one once, already decided (Apache CouchDB runs the guard for
 * every document written, so a pending write and then a decided one cost it twice). The head's batch
 * then carries such a transfer whole, so whoever rolls the batch forward can write it. The round
 * reads the transfers' ids first, on the head it decides on: an id the log holds (a resend, or one
 * stored pending meanwhile) is answered or decided as stored, and one stored pending after that read
 * takes the decision onto its document. A caller whose wait ends gets its transfer stored pending, so
 * that a transfer answered as pending is in the log. The one cost: a transfer whose decision is
 * committed and whose document the database then refuses (a rule of its own) stops the ledger (503)
 * until the database takes it.</li>
 * <li><b>Idempotency.</b> The transfer's id is the document id: a second request with the id finds
 * the first transfer; with the same fields it waits for and answers the first outcome, with other
 * fields it is a conflict naming the field.</li>
 * <li><b>Two-phase transfers, settled once.</b> A reservation is decided like a transfer, against
 * the sender's available balance (its balance less what its open reservations hold), and moves
 * nothing: the head holds, beside the balances, what each account's reservations hold and which
 * reservations are open ({@code Head.held}, {@code Head.open}), so they commit with the balances and
 * are checkpointed with them. A post, a void or an expiry is a transfer of the log under the
 * reservation's id and its step ({@code TwoPhase.settlementOf}): sent again it answers the same, and
 * the first of them decided on an open reservation settles it while the head rejects the others, on
 * any node. A post decided after the timeout is the expiry.</li>
 * <li><b>Atomic batches, never in part.</b> The transfers of an atomic batch are linked: the
 * first stands for the batch until it is decided, carrying the others ({@code entity.Link}), so the
 * batch is one transfer of every path a transfer takes (a round, the pending log, the sweep) and is
 * decided in one round: each of its transfers on what the ones before it left, and all moved or
 * none. The decisions of the others carry them, as an unstored transfer's does, and they are
 * written under their own ids. A batch is decided by the node it was sent to, never handed over
 * or relayed. The round reads the others' ids on the head it decides on: one the log holds as
 * another transfer rejects the batch and leaves that transfer as it is.</li>
 * <li><b>Exact amounts.</b> An amount, and a balance either way, is at most 2^53 - 1
 * ({@code Transfer.MAX_AMOUNT}): CouchDB's JavaScript views and many JSON readers hold numbers as
 * doubles, exact only that far. A larger amount is refused before anything is stored, and a transfer
 * that would push a balance past it is rejected, so the head, the log and the views always agree.</li>
 * <li><b>Callers that die.</b> Every node sweeps every second: whatever is pending is decided by
 * whichever node commits first.</li>
 * <li><b>Balances in constant time.</b> A balance is one read of the head, whatever the length of
 * the history; no reduce is on the path of a decision (PouchDB Server recomputes reductions on every
 * query). The head holds only the balances changed since its checkpoint; a checkpoint
 * ({@code ledger:balances:<place>-<revision>}) holds every balance of one committed head, as an
 * attachment, and never changes. A commit whose changed balances pass a cap (four times the square
 * root of the balances in use) first writes the head it decides on as a checkpoint, then starts from
 * it: that head is committed, so its balances are final, and the checkpoint's id names it, so any two
 * writers of one checkpoint write the same content. A commit's cost then hardly grows with the number
 * of accounts.</li>
 * <li><b>One decider among several nodes.</b> A node that has seen another commit follows the
 * changes feed. The node that committed the newest head decides; the others hand their callers'
 * transfers to it through an inbox document (one write for all the transfers a node's callers wait
 * for, not one per transfer), and answer them from the heads the feed shows. A round that loses the
 * head to the deciding node gives way to it instead of racing it again. A transfer left waiting
 * longer than {@code Resolver.DEFER} is decided by its own node, which then decides for all. This
 * only chooses who proposes a batch; every batch still goes through the commit point. On Apache
 * CouchDB the feed picks the heads and the inboxes by id, and the server reads no other document
 * for it.</li>
 * <li><b>A relay between the nodes.</b> Given each node's address ({@code switchboard.ledger.relay-url})
 * and a secret they share ({@code switchboard.ledger.relay-secret}), the deciding node names its
 * address in the heads it commits, and the others send their callers' transfers there over HTTP,
 * to be decided and answered as its own callers' are ({@code control.Relay}). A node whose transfers
 * the relay answers leaves the feed unread, so CouchDB does the same work per transfer as for one
 * node. Relayed transfers come a round trip after the deciding node's own callers, and would fall
 * to the next round; so a round waits up to {@code Resolver.GATHER} for as many of them as the
 * last round took. A relay that gives no outcome (a node gone, a secret that differs, no answer
 * in time) leaves the transfer to the inbox; a transfer relayed in is decided where it arrived,
 * never sent on. The relay changes who proposes a transfer, never how it is decided.</li>
 * </ul>
 *
 * <p>On a CouchDB cluster a write guarded by {@code _rev} is not a commit point by itself: two
 * coordinators can each take a write of the same revision and keep both as conflicting revisions.
 * So the head is written with {@code w} equal to the number of copies, a decision is answered only
 * once every copy took the head that holds it and no rival revision is on any copy, and a rival is
 * removed before anything is decided on top (see {@code CouchLedgerStore.Outcome}). While a copy is
 * missing (a CouchDB node down), nothing is decided: callers get 503 until it is back. A node that
 * follows answers a transfer from a head of the feed only once a later head was written on that one:
 * a node decides only on a committed head. The ids a round reads are safe on a cluster too: a round
 * decides on another node's head only once its batch reads as written (a read that finds a document
 * on one copy of three writes it to the others before answering), or after writing it out itself on
 * every copy.
 *
 * <p>Limits, measured in {@code docs/benchmarks.md}: one head means one decision stream, bounded by
 * the head's write rate. Without the relay, two application nodes decide fewer transfers than one:
 * the database is then the only way between them, and a transfer handed over costs it requests (the
 * inbox write, both feeds) that one node does not make. Apache CouchDB runs the
 * {@code validate_doc_update} guard in its JavaScript engine for every document written
 * ({@code switchboard.ledger.guard-writes}), and indexes the views in the background.
 *
 * <p>CouchDB out of reach reaches callers as a {@code LedgerUnavailableException}; no LightCouch or
 * Gson type leaves the control package.
 */
package org.switchboard.ledger;
