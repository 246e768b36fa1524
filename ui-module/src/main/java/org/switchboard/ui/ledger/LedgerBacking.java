package org.switchboard.ui.ledger;

import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.switchboard.ledger.boundary.InvalidLedgerRequestException;
import org.switchboard.ledger.boundary.Ledger;
import org.switchboard.ledger.boundary.NoSuchTransferException;
import org.switchboard.ledger.boundary.ReservationSettledException;
import org.switchboard.ledger.boundary.TransferConflictException;
import org.switchboard.ledger.boundary.TransferPendingException;
import org.switchboard.ledger.boundary.TransferRejectedException;
import org.switchboard.ledger.entity.Account;
import org.switchboard.ledger.entity.InvariantReport;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;
import org.switchboard.ledger.entity.TwoPhase;

/**
 * The ledger's admin page: accounts with their balances and reservations, a transfer form (two-phase
 * too), a batch form (all or none, or each on its own), the open reservations with post and void, an
 * account's statement, the invariant check.
 */
@Named
@ViewScoped
public class LedgerBacking implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    transient Ledger ledger;

    private String accountId;
    private boolean allowNegative;
    private String from;
    private String to;
    private Long amount;
    private boolean twoPhase;
    private Long timeoutSeconds = TwoPhase.DEFAULT_TIMEOUT_SECONDS;
    /** The id of the transfer the form shows: a form posted twice (a double click, a replay) makes one transfer. */
    private String transferKey = newKey();
    /** A batch, one transfer per line ({@code from to amount}), all or none when {@code atomic}; its transfers' ids start with {@code batchKey}. */
    private String batch;
    private boolean atomic = true;
    private String batchKey = newKey();
    private String selected;
    private transient InvariantReport report;
    private transient List<Account> accounts;
    private transient List<Transfer> reservations;

    public List<Account> getAccounts() {
        if (accounts == null) {
            accounts = ledger.accounts();
        }
        return accounts;
    }

    public void createAccount() {
        try {
            var created = ledger.createAccount(accountId, allowNegative);
            info(created.created() ? "Account " + accountId + " created." : "Account " + accountId + " exists already.");
            accounts = null;
        } catch (InvalidLedgerRequestException | TransferConflictException e) {
            error("Not created: " + e.getMessage() + ".");
        }
    }

    public void transfer() {
        try {
            var sum = amount == null ? 0 : amount;
            var t = twoPhase ? ledger.reserve(transferKey, from, to, sum, timeoutSeconds == null ? 0 : timeoutSeconds)
                    : ledger.transfer(transferKey, from, to, sum);
            info("Transfer " + t.id() + " " + t.status().wire() + ": " + t.amount() + " from " + t.from() + " to " + t.to() + " (place " + t.seq() + ").");
            selected = from;
            transferKey = newKey();
        } catch (TransferRejectedException e) {
            error("Transfer " + e.transfer().id() + " rejected: " + e.transfer().reason() + ".");
            selected = from;
            transferKey = newKey();
        } catch (InvalidLedgerRequestException | TransferConflictException | TransferPendingException e) {
            error("Not done: " + e.getMessage());
        }
        accounts = null;
        reservations = null;
    }

    /**
     * Makes the batch the form gives, one transfer per line ({@code from to amount}), each under
     * the form's key and its line number: the same form posted again makes no second batch.
     */
    public void transferBatch() {
        var requests = new ArrayList<Ledger.TransferRequest>();
        var lines = batch == null ? new String[0] : batch.strip().split("\\R+");
        for (int i = 0; i < lines.length; i++) {
            var parts = lines[i].strip().split("\\s+");
            if (parts.length != 3 || !parts[2].matches("\\d{1,16}")) {
                error("Not done: line " + (i + 1) + " is not 'from to amount'.");
                return;
            }
            requests.add(new Ledger.TransferRequest(batchKey + "-" + (i + 1), parts[0], parts[1], Long.parseLong(parts[2])));
        }
        try {
            var outcomes = atomic ? ledger.transferAtomically(requests) : ledger.transferAll(requests);
            var told = new ArrayList<String>();
            for (var o : outcomes) {
                told.add(o.transfer() != null ? o.transfer().id() + " " + o.transfer().status().wire()
                        + (o.transfer().reason() != null ? " (" + o.transfer().reason() + ")" : "") : "refused: " + o.refused().getMessage());
            }
            var moved = outcomes.stream().allMatch(o -> o.transfer() != null && o.transfer().status() == TransferStatus.SUCCESSFUL);
            var summary = atomic ? (moved ? "Batch done: all " + outcomes.size() + " transfers moved. " : "Batch not done, nothing moved: ") : "Batch: ";
            if (atomic && !moved) {
                error(summary + String.join("; ", told) + ".");
            } else {
                info(summary + String.join("; ", told) + ".");
            }
            batchKey = newKey();
        } catch (InvalidLedgerRequestException | TransferConflictException e) {
            error("Not done: " + e.getMessage() + ".");
        }
        accounts = null;
    }

    /** The reservations not yet settled, soonest to time out first. */
    public List<Transfer> getReservations() {
        if (reservations == null) {
            reservations = ledger.openReservations(100);
        }
        return reservations;
    }

    /** Posts all of a reservation. */
    public void post(String id) {
        settle(id, () -> ledger.post(id, null));
    }

    public void voidReservation(String id) {
        settle(id, () -> ledger.voidReservation(id));
    }

    private void settle(String id, Supplier<Ledger.Reservation> step) {
        try {
            var settled = step.get();
            info("Reservation " + id + " " + settled.status().wire() + ".");
        } catch (ReservationSettledException e) {
            error("Not done: " + e.getMessage() + ".");
        } catch (NoSuchTransferException | TransferPendingException e) {
            error("Not done: " + e.getMessage());
        }
        accounts = null;
        reservations = null;
    }

    public String getBatch() {
        return batch;
    }

    public void setBatch(String batch) {
        this.batch = batch;
    }

    public boolean isAtomic() {
        return atomic;
    }

    public void setAtomic(boolean atomic) {
        this.atomic = atomic;
    }

    public String getBatchKey() {
        return batchKey;
    }

    public void setBatchKey(String batchKey) {
        this.batchKey = batchKey;
    }

    public String getTransferKey() {
        return transferKey;
    }

    public void setTransferKey(String transferKey) {
        this.transferKey = transferKey;
    }

    private static String newKey() {
        return "form-" + UUID.randomUUID();
    }

    public void show(String account) {
        selected = account;
    }

    public List<Transfer> getStatement() {
        return selected == null ? List.of() : ledger.statement(selected, Long.MAX_VALUE, 100);
    }

    public void check() {
        report = ledger.check(Duration.ofSeconds(60));
        accounts = null;
    }

    public InvariantReport getReport() {
        return report;
    }

    private static void info(String text) {
        FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(text));
    }

    private static void error(String text) {
        FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
    }

    public String getAccountId() {
        return accountId;
    }

    public void setAccountId(String accountId) {
        this.accountId = accountId;
    }

    public boolean isAllowNegative() {
        return allowNegative;
    }

    public void setAllowNegative(boolean allowNegative) {
        this.allowNegative = allowNegative;
    }

    public String getFrom() {
        return from;
    }

    public void setFrom(String from) {
        this.from = from;
    }

    public String getTo() {
        return to;
    }

    public void setTo(String to) {
        this.to = to;
    }

    public boolean isTwoPhase() {
        return twoPhase;
    }

    public void setTwoPhase(boolean twoPhase) {
        this.twoPhase = twoPhase;
    }

    public Long getTimeoutSeconds() {
        return timeoutSeconds;
    }

    public void setTimeoutSeconds(Long timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    public Long getAmount() {
        return amount;
    }

    public void setAmount(Long amount) {
        this.amount = amount;
    }

    public String getSelected() {
        return selected;
    }
}
