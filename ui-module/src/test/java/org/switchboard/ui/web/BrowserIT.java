package org.switchboard.ui.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.switchboard.testkit.Browser;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.ClientSideIT;
import org.switchboard.ui.support.Deployed;

/** The pages in a real Chromium: the landing page and the admin login. */
class BrowserIT extends ClientSideIT {
    WebDriver browser;

    @BeforeEach
    void open() {
        browser = Browser.start();
    }

    @AfterEach
    void close() {
        if (browser != null) {
            try {
                assertThat(Browser.console(browser)).as("the pages run under their Content-Security-Policy without a violation")
                        .noneMatch(message -> message.contains("Content Security Policy"));
            } finally {
                browser.quit();
            }
        }
    }

    @Test
    void theApiExplorerShowsEveryOperationOfTheDescription() {
        browser.get(base.resolve("api-docs/").toString());
        waitFor().until(d -> d.findElements(By.cssSelector(".opblock")).size() > 30);
        var summaries = browser.findElements(By.cssSelector(".opblock-summary-path")).stream().map(e -> e.getText()).toList();
        assertThat(summaries).contains("/api/ledger/transfers", "/api/jobs", "/api/boards/{board}", "/api/chat/rooms/{room}/messages");
        assertThat(browser.findElement(By.cssSelector("footer a[href$='/api-docs/']")).getText()).isEqualTo("API explorer");
    }

    @Test
    void theChatLandingPageOpensTheRoomItNamesThroughItsScriptFile() {
        var room = "csp-" + UUID.randomUUID().toString().substring(0, 8);
        browser.get(base.resolve("chat/").toString());
        var field = browser.findElement(By.id("join-room"));
        field.clear();
        field.sendKeys(room);
        browser.findElement(By.cssSelector("#join input[type=submit]")).click();
        waitFor().until(ExpectedConditions.urlContains("/chat/" + room));
        var injected = (String) ((JavascriptExecutor) browser).executeScript(
                "const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.body.appendChild(s);"
                        + " return String(window.injected);");
        assertThat(injected).as("an inline script does not run").isEqualTo("undefined");
        assertThat(Browser.console(browser)).as("and the browser says why").anyMatch(m -> m.contains("Content Security Policy"));
    }

    @Test
    void theLandingPageLinksToTheFourPatternAreas() {
        browser.get(base.toString());
        assertThat(browser.getTitle()).contains("Switchboard");
        for (var area : new String[] {"area-chat", "area-boards", "area-jobs", "area-ledger"}) {
            assertThat(browser.findElement(By.id(area)).isDisplayed()).as(area).isTrue();
        }
        browser.findElement(By.id("area-boards")).click();
        waitFor().until(ExpectedConditions.textToBe(By.id("page-title"), "Notice boards"));
    }

    @Test
    void anAdminLogsInSeesTheServersAndLogsOut() {
        browser.get(base.resolve("admin/").toString());
        waitFor().until(ExpectedConditions.urlContains("/login.xhtml"));

        login("wrong password");
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("login:messages"), "Wrong user name or password"));

        login(Deployed.adminPassword());
        waitFor().until(ExpectedConditions.textToBe(By.id("page-title"), "Administration"));
        assertThat(browser.getCurrentUrl()).endsWith("/admin/");
        var badges = browser.findElements(By.cssSelector("#components .badge"));
        assertThat(badges).extracting(e -> e.getText()).containsExactly("UP", "UP", "UP");
        assertThat(Long.parseLong(browser.findElement(By.id("figure-requests")).getText().replace(",", "")))
                .as("this node's requests, from its metrics: the login's at least").isPositive();
        assertThat(browser.findElement(By.id("figure-transfers-rejected")).getText()).matches("[0-9,]+");
        assertThat(browser.findElement(By.id("figure-decision-mean")).getText()).matches("none yet|[0-9.]+ ms");

        browser.get(base.resolve("no-such-page").toString()); // a logged-in admin gets the same not-found page
        waitFor().until(ExpectedConditions.textToBe(By.id("page-title"), "Not found"));
        browser.get(base.resolve("admin/").toString());
        waitFor().until(ExpectedConditions.textToBe(By.id("page-title"), "Administration"));

        browser.findElement(By.id("logout:submit")).click();
        waitFor().until(ExpectedConditions.presenceOfElementLocated(By.id("area-chat")));
        browser.get(base.resolve("admin/").toString());
        waitFor().until(ExpectedConditions.urlContains("/login.xhtml"));
    }

    @Test
    void theBoardPageFollowsPostedProgress() throws Exception {
        var board = "progress-" + UUID.randomUUID();
        browser.get(base.resolve("boards/" + board).toString());
        waitFor().until(ExpectedConditions.textToBe(By.id("page-title"), "Board " + board));
        for (var percent : new int[] {10, 55, 100}) {
            assertThat(Api.putBoard(base, board, "{\"percent\":" + percent + ",\"step\":\"<script>x</script>\"}").statusCode()).isEqualTo(200);
            waitFor().until(ExpectedConditions.textToBe(By.id("progress-text"), percent + "%"));
            assertThat(browser.findElement(By.id("progress-bar")).getAttribute("style")).contains("width: " + percent + "%");
        }
        assertThat(browser.findElement(By.id("value")).getText()).as("shown as text, not markup").contains("<script>x</script>");
        assertThat(browser.findElement(By.id("revision")).getText()).isEqualTo("3");

        // deleted from the admin page: the board's page says so at once, then follows the board posted again
        browser.switchTo().newWindow(WindowType.TAB);
        var boardTab = browser.getWindowHandles().stream().filter(h -> !h.equals(browser.getWindowHandle())).findFirst().orElseThrow();
        browser.get(base.resolve("admin/boards/").toString());
        waitFor().until(ExpectedConditions.urlContains("/login.xhtml"));
        login(Deployed.adminPassword());
        waitFor().until(ExpectedConditions.textToBe(By.id("page-title"), "Notice boards"));
        browser.findElements(By.cssSelector("#list\\:boards tbody tr")).stream().filter(r -> r.getText().contains(board)).findFirst().orElseThrow()
                .findElement(By.cssSelector("input[value=Delete]")).click();
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("post:messages"), "Deleted board " + board + "."));
        assertThat(Deployed.get(base.resolve("api/boards/" + board)).statusCode()).isEqualTo(404);
        browser.switchTo().window(boardTab);
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "deleted or has expired"));
        assertThat(browser.findElement(By.id("progress")).isDisplayed()).isFalse();
        assertThat(Api.putBoard(base, board, "{\"percent\":5}").statusCode()).isEqualTo(200);
        waitFor().until(ExpectedConditions.textToBe(By.id("progress-text"), "5%"));
        assertThat(browser.findElement(By.id("revision")).getText()).as("a new epoch").isEqualTo("1");
    }

    @Test
    void aJobsBoardPageShowsItsProgressBarFill() throws Exception {
        var enqueued = Api.enqueue(base, "{\"type\":\"sleep\",\"payload\":{\"ms\":4000,\"steps\":4},\"delaySeconds\":2}");
        var id = Api.json(enqueued.body()).getString("id");
        browser.get(base.resolve("boards/job-" + id).toString()); // before the job starts: the page waits for its first value
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBe(By.id("progress-text"), "50%"));
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBe(By.id("progress-text"), "100%"));
        assertThat(browser.findElement(By.id("progress-bar")).getAttribute("style")).contains("width: 100%");
    }

    @Test
    void theJobsDashboardEnqueuesASleepJobWhosePageFillsItsProgressBarAndRetriesADeadOne() throws Exception {
        var poison = Api.enqueue(base, "{\"type\":\"sleep\",\"payload\":{\"ms\":\"<b>never</b>\"},\"maxAttempts\":1}");
        var poisonId = Api.json(poison.body()).getString("id");
        browser.get(base.resolve("admin/jobs/").toString());
        waitFor().until(ExpectedConditions.urlContains("/login.xhtml"));
        login(Deployed.adminPassword());
        waitFor().until(ExpectedConditions.textToBe(By.id("page-title"), "Job queues"));
        assertThat(((JavascriptExecutor) browser).executeScript("return typeof Chart")).as("Chart.js loaded").isEqualTo("function");
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("chart-status"), "Live."));

        // the dead job, listed with its error as text; retried from the page
        browser.get(base.resolve("admin/jobs/").toString());
        var deadRow = browser.findElements(By.cssSelector("#jobs\\:dead tbody tr")).stream()
                .filter(r -> r.getText().contains("a sleep job takes")).findFirst().orElseThrow();
        assertThat(deadRow.findElement(By.tagName("a")).getAttribute("href")).endsWith("id=" + poisonId);
        deadRow.findElement(By.cssSelector("input[value=Retry]")).click();
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("jobs:messages"), "is queued again"));

        // enqueue through the form, then follow the job on its page
        var payload = browser.findElement(By.id("enqueue:payload"));
        payload.clear();
        payload.sendKeys("{\"ms\": 4000, \"steps\": 4}");
        new Select(browser.findElement(By.id("enqueue:type"))).selectByVisibleText("sleep");
        browser.findElement(By.id("enqueue:submit")).click();
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("enqueue"), "Enqueued job"));
        var message = browser.findElement(By.id("enqueue")).getText();
        var id = message.replaceAll("(?s).*Enqueued job ([0-9a-f-]{36}).*", "$1");
        browser.get(base.resolve("admin/jobs/job.xhtml?id=" + id).toString());
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBe(By.id("progress-text"), "50%"));
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBe(By.id("progress-text"), "100%"));
        assertThat(browser.findElement(By.id("progress-bar")).getAttribute("style")).contains("width: 100%");
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.textToBe(By.id("job-state"), "succeeded"));
        assertThat(browser.findElement(By.id("job-result")).getText()).isEqualTo("{\"slept\":4000}");
    }

    @Test
    void theJobsDashboardShowsLiveJobEventsAndDrawsItsTablesAgainAsTheyCome() throws Exception {
        // more queues than a browser holds connections to one server: the page follows them all on one stream, and stays usable
        var parked = new ArrayList<String>();
        for (int i = 0; i < 8; i++) {
            parked.add(Api.json(Api.enqueue(base, "{\"type\":\"noop\",\"queue\":\"parked-" + i + "\"}").body()).getString("id"));
        }
        browser.get(base.resolve("admin/jobs/").toString());
        waitFor().until(ExpectedConditions.urlContains("/login.xhtml"));
        login(Deployed.adminPassword());
        waitFor().until(ExpectedConditions.textToBe(By.id("page-title"), "Job queues"));
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("events-status"), "Live"));
        var poison = Api.json(Api.enqueue(base, "{\"type\":\"sleep\",\"payload\":{\"ms\":\"never\"},\"maxAttempts\":1}").body()).getString("id");
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-events"), poison));
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(b -> (Boolean) ((JavascriptExecutor) b).executeScript(
                "return [...document.querySelectorAll('#job-events li')].some(li => li.textContent.includes(arguments[0]) && li.textContent.includes('dead'))",
                poison));
        // the dead jobs' table, drawn again without a reload, lists it
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(b -> (Boolean) ((JavascriptExecutor) b).executeScript(
                "return [...document.querySelectorAll('[id=\"jobs:dead\"] a')].some(a => a.href.endsWith('id=' + arguments[0]))", poison));
        browser.findElement(By.linkText("Refresh the tables")).click();
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("events-status"), "parked-7"));
        for (var id : parked) {
            Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/jobs/" + id)).DELETE()
                    .header("Authorization", Deployed.basic("admin", Deployed.adminPassword())).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void aFlowsJobPageDrawsTheTreeOfItsChildrenWithTheirLiveStates() throws Exception {
        var flow = Api.json(Api.enqueue(base, "{\"type\":\"gather\",\"children\":[{\"type\":\"sleep\",\"payload\":{\"ms\":3000}},"
                + "{\"type\":\"gather\",\"children\":[{\"type\":\"sleep\",\"payload\":{\"ms\":3000}}]}]}").body());
        var root = flow.getString("id");
        var inner = flow.getJsonArray("children").getJsonObject(1).getString("id");
        browser.get(base.resolve("admin/jobs/job.xhtml?id=" + root).toString());
        waitFor().until(ExpectedConditions.urlContains("/login.xhtml"));
        login(Deployed.adminPassword());
        waitFor().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#job-tree li"), 3));
        assertThat(browser.findElement(By.id("job-state")).getText()).isEqualTo("waiting-children");
        // the tree is drawn again every second: each look at it is one script, on the tree as it is then
        var page = (JavascriptExecutor) browser;
        assertThat((String) page.executeScript("return document.querySelector('#job-tree > li:nth-child(2)').textContent"))
                .contains(inner).contains("gather").contains("waiting-children");
        assertThat((Long) page.executeScript("return document.querySelectorAll('#job-tree > li:nth-child(2) ul li').length"))
                .as("its own child, drawn under it").isEqualTo(1);
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBe(By.id("job-state"), "succeeded"));
        waitFor().until(b -> (Boolean) page.executeScript(
                "return [...document.querySelectorAll('#job-tree .state')].every(s => s.textContent === 'succeeded')"));
        browser.get((String) page.executeScript("return document.querySelector('#job-tree > li:nth-child(2) > a').href"));
        waitFor().until(ExpectedConditions.presenceOfElementLocated(By.id("job-parent")));
        assertThat(browser.findElement(By.id("job-parent")).getText()).contains(root);
    }

    @Test
    void theLedgerPageMakesOneTransferThatSucceedsAndOneThatIsRejected() throws Exception {
        var run = UUID.randomUUID().toString().substring(0, 8);
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"mint-" + run + "\",\"allowNegative\":true}");
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"ann-" + run + "\"}");
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"ben-" + run + "\"}");
        assertThat(Api.transfer(base, "{\"from\":\"mint-" + run + "\",\"to\":\"ann-" + run + "\",\"amount\":100}").statusCode()).isEqualTo(201);
        openLedgerPage();
        makeTransfer("ann-" + run, "ben-" + run, "30");
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("ledger:messages"), "successful: 30 from ann-" + run));
        makeTransfer("ann-" + run, "ben-" + run, "1000");
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("ledger:messages"), "rejected: insufficient funds"));
        var statement = browser.findElement(By.id("ledger:statement")).getText();
        assertThat(statement).contains("rejected").contains("insufficient funds").contains("successful");
        var row = browser.findElements(By.cssSelector("#ledger\\:accounts tbody tr")).stream()
                .filter(r -> r.getText().startsWith("ann-" + run)).findFirst().orElseThrow();
        assertThat(row.getText()).contains("70");
        browser.findElement(By.id("ledger:check")).click();
        waitFor().until(ExpectedConditions.textToBe(By.id("report-verdict"), "OK"));
    }

    @Test
    void theLedgerPageReservesAndSettlesFromTheListOfOpenReservations() throws Exception {
        var run = UUID.randomUUID().toString().substring(0, 8);
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"mint-" + run + "\",\"allowNegative\":true}");
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"dee-" + run + "\"}");
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"eve-" + run + "\"}");
        assertThat(Api.transfer(base, "{\"from\":\"mint-" + run + "\",\"to\":\"dee-" + run + "\",\"amount\":100}").statusCode()).isEqualTo(201);
        openLedgerPage();
        browser.findElement(By.id("transfer:two-phase")).click();
        makeTransfer("dee-" + run, "eve-" + run, "60");
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("ledger:messages"), "reserved: 60 from dee-" + run));
        assertThat(accountRow("dee-" + run)).as("balance, reserved, available").contains("100 60 40");
        reservationButton("eve-" + run, "void").click();
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("ledger:messages"), "voided"));
        assertThat(accountRow("dee-" + run)).contains("100 0 100");
        assertThat(browser.findElement(By.id("transfer:two-phase")).isSelected()).as("the form keeps its choice").isTrue();
        makeTransfer("dee-" + run, "eve-" + run, "25");
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("ledger:messages"), "reserved: 25 from dee-" + run));
        reservationButton("eve-" + run, "post").click();
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("ledger:messages"), "posted"));
        assertThat(accountRow("dee-" + run)).contains("75 0 75");
        assertThat(browser.findElements(By.cssSelector("#ledger\\:reservations tbody tr")).stream().map(WebElement::getText))
                .as("settled: no longer listed").noneMatch(text -> text.contains("eve-" + run));
        browser.findElement(By.id("ledger:check")).click();
        waitFor().until(ExpectedConditions.textToBe(By.id("report-verdict"), "OK"));
    }

    @Test
    void theLedgerPageSendsAnAtomicBatchThatMovesAllAndOneThatMovesNothing() throws Exception {
        var run = UUID.randomUUID().toString().substring(0, 8);
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"mint-" + run + "\",\"allowNegative\":true}");
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"fay-" + run + "\"}");
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"gus-" + run + "\"}");
        assertThat(Api.transfer(base, "{\"from\":\"mint-" + run + "\",\"to\":\"fay-" + run + "\",\"amount\":100}").statusCode()).isEqualTo(201);
        openLedgerPage();
        assertThat(browser.findElement(By.id("batch:atomic")).isSelected()).as("all or none unless unticked").isTrue();
        sendBatch("fay-" + run + " gus-" + run + " 30\ngus-" + run + " fay-" + run + " 10");
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("ledger:messages"), "Batch done: all 2 transfers moved"));
        assertThat(accountRow("fay-" + run)).contains("80");
        sendBatch("fay-" + run + " gus-" + run + " 10\nfay-" + run + " gus-" + run + " 1000");
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("ledger:messages"), "Batch not done, nothing moved"));
        assertThat(browser.findElement(By.id("ledger:messages")).getText()).contains("linked transfer rejected").contains("insufficient funds");
        assertThat(accountRow("fay-" + run)).as("nothing moved").contains("80");
        browser.findElement(By.id("ledger:check")).click();
        waitFor().until(ExpectedConditions.textToBe(By.id("report-verdict"), "OK"));
    }

    private void sendBatch(String lines) {
        var input = browser.findElement(By.id("batch:lines"));
        input.clear();
        input.sendKeys(lines);
        browser.findElement(By.id("batch:submit")).click();
    }

    /** The ledger's admin page, logged in on the way. */
    private void openLedgerPage() {
        browser.get(base.resolve("admin/ledger/").toString());
        waitFor().until(ExpectedConditions.urlContains("/login.xhtml"));
        login(Deployed.adminPassword());
        waitFor().until(ExpectedConditions.textToBe(By.id("page-title"), "Ledger"));
    }

    private String accountRow(String account) {
        return browser.findElements(By.cssSelector("#ledger\\:accounts tbody tr")).stream().map(WebElement::getText)
                .filter(text -> text.startsWith(account + " ")).findFirst().orElseThrow();
    }

    /** The post or void button of the open reservation to {@code receiver}. */
    private WebElement reservationButton(String receiver, String step) {
        var row = browser.findElements(By.cssSelector("#ledger\\:reservations tbody tr")).stream()
                .filter(r -> r.getText().contains(receiver)).findFirst().orElseThrow();
        return row.findElements(By.tagName("input")).stream().filter(b -> b.getAttribute("id").endsWith(":" + step)).findFirst().orElseThrow();
    }

    @Test
    void theTransferFormPostedThreeTimesMakesOneTransfer() throws Exception {
        var run = UUID.randomUUID().toString().substring(0, 8);
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"mint-" + run + "\",\"allowNegative\":true}");
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"cat-" + run + "\"}");
        openLedgerPage();
        for (var field : new String[][] {{"transfer:from", "mint-" + run}, {"transfer:to", "cat-" + run}, {"transfer:amount", "5"}}) {
            browser.findElement(By.id(field[0])).sendKeys(field[1]);
        }
        // the form as the browser would post it (view state, the transfer's key, the button), posted three times
        @SuppressWarnings("unchecked")
        var fields = (List<List<String>>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.getElementById('transfer').elements).filter(e => e.name && (e.type !== 'checkbox' || e.checked))"
                        + ".filter(e => e.type !== 'submit' || e.id === 'transfer:submit').map(e => [e.name, e.value]);");
        var body = fields.stream().map(f -> URLEncoder.encode(f.get(0), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(f.get(1), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        var action = URI.create(browser.getCurrentUrl()).resolve(browser.findElement(By.id("transfer")).getAttribute("action"));
        var cookies = browser.manage().getCookies().stream().map(c -> c.getName() + "=" + c.getValue()).collect(Collectors.joining("; "));
        for (int i = 0; i < 3; i++) {
            var response = Deployed.HTTP.send(HttpRequest.newBuilder(action).header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Cookie", cookies).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("post " + (i + 1)).isEqualTo(200);
            assertThat(response.body()).as("post " + (i + 1)).contains("successful: 5 from mint-" + run);
        }
        var account = Api.json(Deployed.get(base.resolve("api/ledger/accounts/cat-" + run), "Authorization",
                Deployed.basic("admin", Deployed.adminPassword())).body());
        assertThat(account.getJsonNumber("balance").longValue()).as("one transfer, not three").isEqualTo(5);
    }

    @Test
    void aFormPostedWithAForgedViewStateGetsTheSessionExpiredPage() throws Exception {
        openLedgerPage();
        var action = URI.create(browser.getCurrentUrl()).resolve(browser.findElement(By.id("transfer")).getAttribute("action"));
        var cookies = browser.manage().getCookies().stream().map(c -> c.getName() + "=" + c.getValue()).collect(Collectors.joining("; "));
        var forged = Deployed.HTTP.send(HttpRequest.newBuilder(action).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", cookies).POST(HttpRequest.BodyPublishers.ofString(
                        "transfer=transfer&transfer%3Afrom=a&transfer%3Ato=b&transfer%3Aamount=1&transfer%3Asubmit=Transfer"
                                + "&jakarta.faces.ViewState=-1234567890%3A987654321")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).contains("Session expired").doesNotContain("Exception", "at org.", "at com.");
    }

    private void makeTransfer(String from, String to, String amount) {
        for (var field : new String[][] {{"transfer:from", from}, {"transfer:to", to}, {"transfer:amount", amount}}) {
            var input = browser.findElement(By.id(field[0]));
            input.clear();
            input.sendKeys(field[1]);
        }
        browser.findElement(By.id("transfer:submit")).click();
    }

    @Test
    void twoPagesOnOneRoomShowEveryMessageOnceInTheSameOrder() throws Exception {
        var room = "browser-" + UUID.randomUUID().toString().substring(0, 8);
        Api.postMessage(base, room, "{\"author\":\"history\",\"text\":\"before anyone came\"}");
        var second = Browser.start();
        try {
            enterRoom(browser, room, "ann");
            enterRoom(second, room, "bob");
            say(browser, "hello from ann");
            say(second, "hello from bob <b>not bold</b>");
            say(browser, "ann again");
            Api.postMessage(base, room, "{\"author\":\"api\",\"text\":\"from the API\"}");
            var expected = List.of("history: before anyone came", "ann: hello from ann", "bob: hello from bob <b>not bold</b>",
                    "ann: ann again", "api: from the API");
            for (var page : List.of(browser, second)) {
                new WebDriverWait(page, Duration.ofSeconds(20)).until(d -> d.findElements(By.cssSelector("#messages li")).size() >= 5);
                var shown = page.findElements(By.cssSelector("#messages li")).stream()
                        .map(li -> li.findElement(By.className("author")).getText() + ": " + li.findElement(By.className("text")).getText())
                        .toList();
                assertThat(shown).containsExactlyElementsOf(expected);
                assertThat(page.findElements(By.cssSelector("#messages b"))).as("no markup from a message").isEmpty();
                new WebDriverWait(page, Duration.ofSeconds(20)).until(d -> d.findElement(By.id("present")).getText().contains("ann")
                        && d.findElement(By.id("present")).getText().contains("bob"));
            }
        } finally {
            second.quit();
        }
    }

    private void enterRoom(WebDriver page, String room, String name) {
        page.get(base.resolve("chat/" + room).toString());
        var wait = new WebDriverWait(page, Duration.ofSeconds(15));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys(name);
        page.findElement(By.id("enter")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "Live."));
    }

    private void say(WebDriver page, String text) {
        var before = page.findElements(By.cssSelector("#messages li")).size();
        page.findElement(By.id("text")).sendKeys(text);
        page.findElement(By.id("send")).click();
        new WebDriverWait(page, Duration.ofSeconds(15)).until(d -> d.findElements(By.cssSelector("#messages li")).size() > before);
    }

    private void login(String password) {
        var field = browser.findElement(By.id("login:password"));
        field.clear();
        field.sendKeys(password);
        browser.findElement(By.id("login:submit")).click();
    }

    /**
     * Waits for a condition, asking again when the driver fails while the page is being replaced
     * ("node ... does not belong to the document"): the condition still has to hold within 15 s.
     */
    private WebDriverWait waitFor() {
        var wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.ignoring(WebDriverException.class);
        return wait;
    }

}
