"""The QuickBooks Online connector against a stateful local fake of the Accounting API and
Intuit's OAuth server (real HTTP on loopback, every body checked against Intuit's XSD)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from pos_app.app import build_sync_engine, secret_store, sync_admin, sync_store
from pos_app.cli.main import main
from sync.connectors.base import ConfigError
from sync.oauth import TOKENS_KEY, TokenSet

from .conftest import COFFEE, Shop
from .fakes.oauth_fake import Grant, OAuthFake
from .fakes.qbo_fake import QboFake, fault
from .test_beancount import assert_matches_report, trade
from .test_sync import Clock, drain

REALM = "9130357000000001"
CLIENT, SECRET = "qbo-client", "qbo-secret"
MAPPING = {
    "item.STD": "POS sales STD", "item.RED": "POS sales RED", "item.rounding": "POS rounding",
    "taxcode.STD": "19% S", "taxcode.RED": "7% R", "tender.cash": "Cash on hand",
    "tender.card": "Card clearing", "tender.store_credit": "Store credit",
    "tender.loyalty": "Loyalty", "clearing": "Undeposited Funds",
}
DAILY = {
    "entries": "daily", "revenue.STD": "Sales STD", "revenue.RED": "Sales RED",
    "tax.STD": "VAT STD", "tax.RED": "VAT RED", "tender.cash": "Cash on hand",
    "tender.card": "Card clearing", "tender.store_credit": "Store credit",
    "tender.loyalty": "Loyalty", "rounding": "Cash rounding",
}
# the fake's chart of accounts under the names the shared ledger assertions use
AS_LEDGER = {"Cash on hand": "Assets:Cash", "Card clearing": "Assets:CardClearing",
             "Sales STD": "Income:Sales:Standard", "Sales RED": "Income:Sales:Reduced",
             "VAT STD": "Liabilities:VAT:Standard", "VAT RED": "Liabilities:VAT:Reduced",
             "Cash rounding": "Income:CashRounding", "Store credit": "Liabilities:StoreCredit",
             "Loyalty": "Expenses:Loyalty", "Undeposited Funds": "Assets:Undeposited",
             "Sales ZERO": "Income:Sales:Zero", "VAT ZERO": "Liabilities:VAT:Zero"}


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


class Intuit:
    """The fake Intuit: OAuth server and API on one clock (the engine's, in tests)."""

    def __init__(self, clock: Clock, ast: bool = False, **limits: Any) -> None:
        self.clock = clock
        now = lambda: clock.now.timestamp()  # noqa: E731
        self.oauth = OAuthFake(now, scopes=("com.intuit.quickbooks.accounting",),
                               redirect_extra=lambda g: {"realmId": str(g.extra["realmId"])})
        self.oauth.grant_extra = {"realmId": REALM}
        self.api = QboFake(self.oauth, now, **limits)
        self.company = self.api.add_company(REALM, "USD" if ast else "EUR", ast=ast)

    def stop(self) -> None:
        self.api.stop()
        self.oauth.stop()


@pytest.fixture
def intuit() -> Iterator[Intuit]:
    i = Intuit(Clock())
    yield i
    i.stop()


def add_qbo(shop: Shop, intuit: Intuit, mapping: dict[str, str], name: str = "qb",
            authorised: bool = True, redirect: str = "http://localhost:8765/callback",
            **extra: str) -> None:
    intuit.oauth.add_client(CLIENT, SECRET, redirect)
    settings = {"client_id": CLIENT, "client_secret": SECRET, "base_url": intuit.api.url,
                "auth_url": f"{intuit.oauth.url}/authorize",
                "token_url": f"{intuit.oauth.url}/token", "redirect_uri": redirect,
                **({"realm_id": REALM} if authorised else {}), **mapping, **extra}
    sets = [x for k, v in settings.items() for x in ("--set", f"{k}={v}")]
    assert main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", "sync",
                 "connector", "add", "quickbooks", "--name", name, *sets,
                 "--from-start"]) == 0
    if authorised:  # as if `pos sync connector auth` had run
        tokens = intuit.oauth.issue(Grant(CLIENT, ("com.intuit.quickbooks.accounting",),
                                          {"realmId": REALM}))
        secret_store(shop.app).set(name, TOKENS_KEY, TokenSet.from_response(
            tokens, intuit.clock.now.timestamp()).to_json())


def engine(shop: Shop, intuit: Intuit) -> Any:
    eng = build_sync_engine(shop.app)
    eng.clock, eng.sleep = intuit.clock, intuit.clock.advance
    for c in eng.connectors.values():
        if hasattr(c, "tokens"):
            c.tokens.clock = lambda: intuit.clock.now.timestamp()
    intuit.clock.advance(1)  # the mapping check's reads took their time (paced, real)
    return eng


def ledger(intuit: Intuit) -> dict[str, Decimal]:
    return defaultdict(Decimal, {AS_LEDGER[k]: v for k, v in intuit.api.balances(REALM).items()})


def doc_numbers(intuit: Intuit, entity: str) -> list[str]:
    return sorted(d["DocNumber"] for d in intuit.api.documents(REALM, entity))


def sell(shop: Shop, n: int) -> None:
    co, u = shop.app.checkout, shop.cashier
    for _ in range(n):
        cart = co.new_cart()
        co.scan(cart, COFFEE, u)
        co.scan(cart, "TS-M", u)
        co.pay_card(cart, u, 500)
        co.pay_cash(cart, co.cash_due(cart), u)
        co.complete(cart, u)


def discounted(shop: Shop) -> None:
    """A sale across both tax rates with a line discount and an order discount, paid by
    card and cash."""
    from pos_app.domain.pricing import Discount

    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    shirt = co.scan(cart, "TS-M", u, Decimal(2))
    co.scan(cart, COFFEE, u, Decimal(3))
    co.set_line_discount(cart, shirt.key, Discount(percent=Decimal(10)), u)
    co.set_order_discount(cart, Discount(percent=Decimal(5)), u)
    co.pay_card(cart, u, 2000)
    co.pay_cash(cart, co.cash_due(cart), u)
    co.complete(cart, u)


def test_unmapped_and_unknown_values_refuse_to_start_and_are_listed(
        shop: Shop, intuit: Intuit) -> None:
    partial = {k: v for k, v in MAPPING.items() if k not in ("taxcode.RED", "tender.card")}
    add_qbo(shop, intuit, partial)
    with pytest.raises(ConfigError, match=r"unmapped values: taxcode\.RED, tender\.card"):
        build_sync_engine(shop.app)
    # mapped, but to names the company does not have: listed with what is wrong
    sync_admin(shop.app).store.remove_connector("qb")
    add_qbo(shop, intuit, {**MAPPING, "tender.card": "No such account",
                           "item.RED": "Ghost item"}, name="qb2")
    with pytest.raises(ConfigError) as err:
        build_sync_engine(shop.app)
    assert "item.RED (Item 'Ghost item' is not in QuickBooks)" in str(err.value)
    assert "tender.card (Account 'No such account' is not in QuickBooks)" in str(err.value)
    assert intuit.api.documents(REALM, "SalesReceipt") == []
    assert intuit.api.violations == []


def test_a_day_arrives_per_tax_code_and_account_and_matches_the_z_report(
        shop: Shop, intuit: Intuit) -> None:
    trade(shop)  # cash with rounding, split card, refunds to card and store credit, exchange
    discounted(shop)  # line and order discounts over both rates, split tender
    z = shop.app.shifts.close(shop.manager, {"cash": 0})
    add_qbo(shop, intuit, MAPPING)
    eng = engine(shop, intuit)
    drain(eng, intuit.clock)
    eng.close()
    api = intuit.api
    assert api.violations == []
    receipts = doc_numbers(intuit, "SalesReceipt") + doc_numbers(intuit, "RefundReceipt")
    assert len(receipts) == len(set(receipts)) == 11  # each document once
    assert len(doc_numbers(intuit, "RefundReceipt")) == 2
    # split tenders and store credit went through the clearing account and a journal entry
    journals = doc_numbers(intuit, "JournalEntry")
    assert journals and set(journals) <= set(receipts)
    books = ledger(intuit)
    assert books.get("Assets:Undeposited", Decimal(0)) == 0  # cleared to the tenders
    assert_matches_report(books, z)
    # per tax code: the lines and tax lines carry the categories' codes and rates
    for d in api.documents(REALM, "SalesReceipt"):
        for tl in d["TxnTaxDetail"].get("TaxLine", []):
            assert tl["TaxLineDetail"]["TaxPercent"] in (Decimal(19), Decimal(7))
    [st] = sync_store(shop.app).status()
    assert (st.pending, st.dead) == (0, 0)
    # every write carried a requestid and went through the batch endpoint (≤ 30)
    writes = [p for m, p, _ in api.log if m == "POST"]
    assert writes and all(p.endswith("/batch") for p in writes)


def test_daily_journal_entry_once_per_day_and_late_events_adjust(shop: Shop,
                                                                  intuit: Intuit) -> None:
    trade(shop)
    z = shop.app.shifts.close(shop.manager, {"cash": 0})
    add_qbo(shop, intuit, DAILY)
    eng = engine(shop, intuit)
    eng.run_until_idle()
    assert intuit.api.documents(REALM, "JournalEntry") == []  # the day is not over
    today = datetime.now().astimezone().date()
    intuit.clock.now = datetime.combine(today + timedelta(days=1), time(2)).astimezone()
    intuit.oauth.expire_access_tokens()  # a night later the access token is long gone
    drain(eng, intuit.clock)
    [je] = intuit.api.documents(REALM, "JournalEntry")
    assert je["TxnDate"] == today.isoformat() and "10 documents" in je["PrivateNote"]
    assert_matches_report(ledger(intuit), z)
    assert intuit.oauth.count("refresh_token", "ok") >= 1
    eng.close()
    assert intuit.api.violations == []


def test_daily_late_sale_of_a_posted_day_becomes_an_adjusting_entry(
        shop: Shop, intuit: Intuit) -> None:
    from pos_app.domain.catalog import NewProduct, NewVariant

    add_qbo(shop, intuit, DAILY)
    eng = engine(shop, intuit)  # the service, running all day
    sell(shop, 3)
    # gift wrap at a new zero rate the books have no account for yet
    shop.app.catalog.add_tax_category(shop.admin, "ZERO", "Zero rated", "0")
    shop.app.catalog.add_product(shop.admin, NewProduct("Gift wrap", "ZERO", (
        NewVariant("WRAP", 150, ("2000000000015",)),)))
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, "WRAP", shop.cashier)
    co.pay_cash(cart, 150, shop.cashier)
    co.complete(cart, shop.cashier)
    eng.run_until_idle()
    z = shop.app.shifts.close(shop.manager, {"cash": 0})
    today = datetime.now().astimezone().date()
    intuit.clock.now = datetime.combine(today + timedelta(days=1), time(2)).astimezone()
    drain(eng, intuit.clock)
    eng.close()
    [dead] = sync_store(shop.app).dead_letters()  # left out of the summary, not posted
    assert "unmapped: revenue.ZERO" in dead.error
    [first] = intuit.api.documents(REALM, "JournalEntry")
    assert "daily summary" in first["PrivateNote"] and "3 documents" in first["PrivateNote"]
    intuit.company.add_account("Sales ZERO", "Income")
    intuit.company.add_account("VAT ZERO", "Other Current Liability")
    admin = sync_admin(shop.app)
    admin.set_connector(shop.admin, "qb", {"revenue.ZERO": "Sales ZERO",
                                           "tax.ZERO": "VAT ZERO"})
    admin.retry(shop.admin, dead.event_id)
    eng = engine(shop, intuit)
    drain(eng, intuit.clock)
    eng.close()
    entries = intuit.api.documents(REALM, "JournalEntry")
    assert len(entries) == 2 and "late entries" in entries[1]["PrivateNote"]
    assert entries[1]["TxnDate"] == today.isoformat()  # on the day of the sale
    assert_matches_report(ledger(intuit), z)
    assert intuit.api.violations == []


def test_automated_sales_tax_is_overridden_with_the_tills_tax(us_shop: Shop) -> None:
    intuit = Intuit(Clock(), ast=True)
    try:
        co, u = us_shop.app.checkout, us_shop.cashier
        for qty in (1, 3):
            cart = co.new_cart()
            co.scan(cart, COFFEE, u, Decimal(qty))
            co.scan(cart, "TS-M", u)
            co.pay_cash(cart, co.cash_due(cart), u)
            co.complete(cart, u)
        x = us_shop.app.shifts.x_report(us_shop.manager)
        add_qbo(us_shop, intuit, {**MAPPING, "taxcode.STD": "TAX", "taxcode.RED": "TAX"},
                automated_sales_tax="true", ast_taxcode="Automated")
        eng = engine(us_shop, intuit)
        drain(eng, intuit.clock)
        eng.close()
        docs = intuit.api.documents(REALM, "SalesReceipt")
        assert len(docs) == 2 and intuit.api.violations == []
        till_tax = sum(Decimal(t["tax"]) for t in x["taxes"]) / 100
        # QuickBooks' own engine would have charged 8.875 %; the override kept the till's
        assert sum(d["TxnTaxDetail"]["TotalTax"] for d in docs) == till_tax
        assert all(d["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] for d in docs)
        assert intuit.api.balances(REALM)["Sales Tax Payable"] == -till_tax
        assert intuit.api.balances(REALM)["Cash on hand"] == Decimal(x["cash"]["sales"]) / 100
    finally:
        intuit.stop()


def test_a_lost_answer_is_replayed_by_requestid_not_booked_twice(shop: Shop,
                                                                  intuit: Intuit) -> None:
    sell(shop, 4)  # split tenders: a receipt and a journal entry each
    add_qbo(shop, intuit, MAPPING, concurrency="1")
    intuit.api.drops.add("POST", r"/batch$", times=1)  # committed, then the answer is lost
    eng = engine(shop, intuit)
    drain(eng, intuit.clock)
    eng.close()
    # the retry was the same request: QuickBooks answered it from its requestid memory
    assert intuit.api.drops.dropped == 1 and intuit.api.replays == 1
    assert len(doc_numbers(intuit, "SalesReceipt")) == len(
        set(doc_numbers(intuit, "SalesReceipt"))) == 4
    assert len(doc_numbers(intuit, "JournalEntry")) == 4
    assert_matches_report(ledger(intuit), shop.app.shifts.x_report(shop.manager))


def test_a_restart_after_a_lost_answer_looks_up_before_sending_again(
        shop: Shop, intuit: Intuit) -> None:
    """A new process (no memory of the unanswered request, so no replay) finds the
    documents by their DocNumber and sends only what is missing."""
    trade(shop)
    add_qbo(shop, intuit, MAPPING)
    store = sync_store(shop.app)
    store.enqueue("qb", intuit.clock(), 1000)
    due = [d for d in store.due("qb", intuit.clock(), 100)
           if d.event.type == "sale.completed"]
    first = engine(shop, intuit)
    intuit.api.drops.add("POST", r"/batch$", times=1)  # committed, the answer is lost
    results = first.connectors["qb"].deliver_batch(due[:6])
    assert all(isinstance(r, Exception) for r in results)
    committed = doc_numbers(intuit, "SalesReceipt")
    assert len(committed) == 6
    first.close()  # the process dies before anything is recorded
    second = engine(shop, intuit)
    drain(second, intuit.clock)
    second.close()
    receipts = doc_numbers(intuit, "SalesReceipt") + doc_numbers(intuit, "RefundReceipt")
    assert len(receipts) == len(set(receipts)) == 10 and intuit.api.replays == 0
    assert_matches_report(ledger(intuit), shop.app.shifts.x_report(shop.manager))


def test_faults_with_http_200_are_retried_or_dead_lettered_by_their_type(
        shop: Shop, intuit: Intuit) -> None:
    co, u = shop.app.checkout, shop.cashier
    for _ in range(3):
        cart = co.new_cart()
        co.scan(cart, COFFEE, u)
        co.pay_cash(cart, co.cash_due(cart), u)
        co.complete(cart, u)
    add_qbo(shop, intuit, MAPPING)
    api = intuit.api
    # a system fault for the whole batch under HTTP 200: retried, no harm
    api.inject("batch", 200, fault("SystemFault", "10000", "An application error has occurred"
                                   " while processing your request"), times=1)
    # then one receipt refused for good (per item, under HTTP 200)
    api.inject("SalesReceipt", 200, fault("ValidationFault", "6000", "A business validation "
                                          "error has occurred", "Closed books period",
                                          "TxnDate"), times=1)
    eng = engine(shop, intuit)
    drain(eng, intuit.clock)
    eng.close()
    [dead] = sync_store(shop.app).dead_letters()
    assert "ValidationFault" in dead.error and "Closed books period" in dead.error
    assert len(api.documents(REALM, "SalesReceipt")) == 2
    sync_admin(shop.app).retry(shop.admin, dead.event_id)  # after fixing it at QuickBooks
    eng = engine(shop, intuit)
    drain(eng, intuit.clock)
    eng.close()
    assert len(api.documents(REALM, "SalesReceipt")) == 3


def test_rate_limits_are_respected_and_a_429_waits(shop: Shop) -> None:
    """At the published pace (scaled down: 60/min, 3/s, batch calls 40/min) nothing is
    throttled; when another app used up the company's minute, the 429 makes the connector
    wait a minute, then everything arrives once."""
    intuit = Intuit(Clock(), per_minute=60, per_second=3, batch_per_minute=40)
    try:
        co, u = shop.app.checkout, shop.cashier
        for _ in range(45):
            cart = co.new_cart()
            co.scan(cart, COFFEE, u)
            co.pay_cash(cart, co.cash_due(cart), u)
            co.complete(cart, u)
        # a little below the company's 60/min: the mapping check's three reads come first
        add_qbo(shop, intuit, MAPPING, batch_size="1", concurrency="20", rate_limit="55/min")
        eng = engine(shop, intuit)
        drain(eng, intuit.clock)
        api, history = intuit.api, intuit.company.history
        assert api.throttled == 0 and len(api.documents(REALM, "SalesReceipt")) == 45
        assert intuit.company.max_in_flight <= 10  # 20 lanes asked for, capped at 10
        times = [t for t, _, _ in history]
        batches = [t for t, call, _ in history if call == "POST batch"]
        assert len(batches) == 45 and len(times) >= 90
        for a in times:  # the fake's own windows were never exceeded
            assert sum(1 for t in times if a <= t < a + 1) <= 3
            assert sum(1 for t in times if a <= t < a + 60) <= 60
            assert sum(1 for t in batches if a <= t < a + 60) <= 40
        # someone else spends the company's minute: the next call gets a 429
        api.per_minute = 0
        cart = co.new_cart()
        co.scan(cart, COFFEE, u)
        co.pay_cash(cart, co.cash_due(cart), u)
        co.complete(cart, u)
        intuit.clock.advance(61)
        eng.run_until_idle()
        assert api.throttled == 1
        [refused] = [t for t, _, over in history if over]
        api.per_minute = 60
        drain(eng, intuit.clock)
        eng.close()
        assert len(api.documents(REALM, "SalesReceipt")) == 46 and api.throttled == 1
        after = [t for t, _, over in history if t > refused]
        assert after and min(after) - refused >= 60  # waited the documented minute
    finally:
        intuit.stop()


def test_an_expiring_token_is_refreshed_and_the_rotated_one_stored(shop: Shop,
                                                                    intuit: Intuit) -> None:
    add_qbo(shop, intuit, MAPPING)
    secrets = secret_store(shop.app)
    before = TokenSet.from_json(secrets.get("qb", TOKENS_KEY) or "")
    eng = engine(shop, intuit)
    conn = eng.connectors["qb"]
    sell(shop, 3)
    intuit.clock.advance(3500)  # within the refresh margin: refreshed before it expires
    drain(eng, intuit.clock)
    assert conn.tokens.refreshes == 1
    intuit.oauth.expire_access_tokens()  # revoked early, mid-run: the 401 refreshes it
    sell(shop, 3)
    drain(eng, intuit.clock)
    eng.close()
    assert intuit.oauth.count("refresh_token", "ok") == conn.tokens.refreshes == 2
    stored = TokenSet.from_json(secrets.get("qb", TOKENS_KEY) or "")
    assert stored.refresh_token != before.refresh_token
    assert intuit.oauth.current_refresh_tokens() == [stored.refresh_token]
    # the old refresh token is dead at Intuit
    r = httpx.post(f"{intuit.oauth.url}/token", auth=(CLIENT, SECRET),
                   data={"grant_type": "refresh_token", "refresh_token": before.refresh_token})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert len(doc_numbers(intuit, "SalesReceipt")) == 6
    assert len(doc_numbers(intuit, "JournalEntry")) == 6  # split tenders via clearing
    assert intuit.api.violations == []


class DiesOnStore:
    """A secret store whose process is killed in the middle of storing the new tokens."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.died = inner, False

    def get(self, connector: str, key: str) -> str | None:
        value: str | None = self.inner.get(connector, key)
        return value

    def set(self, connector: str, key: str, value: str) -> None:
        if key == TOKENS_KEY and not self.died:
            self.died = True
            raise SystemExit("killed between receiving and storing the tokens")
        self.inner.set(connector, key, value)

    def delete(self, connector: str) -> None:
        self.inner.delete(connector)


def test_a_crash_before_the_rotated_token_was_stored_asks_for_authorisation_again(
        shop: Shop, intuit: Intuit, monkeypatch: pytest.MonkeyPatch) -> None:
    """Intuit documents no grace period: a refresh token rotated and never stored is gone.
    The connector then says so, dead-letters nothing, and resumes once authorised again."""
    from sync.connectors.qbo import QuickBooksConnector

    trade(shop)
    add_qbo(shop, intuit, MAPPING)
    cfg = next(c for c in sync_store(shop.app).connectors() if c.name == "qb")
    dying = DiesOnStore(secret_store(shop.app))
    conn = QuickBooksConnector(cfg, dying, clock=lambda: intuit.clock.now.timestamp())
    intuit.clock.advance(3600)
    with pytest.raises(SystemExit):
        conn.tokens.access_token()  # Intuit rotated; the process died before the store
    conn.close()
    eng = engine(shop, intuit)  # the restart has only the old refresh token
    eng.run_until_idle()
    [h] = sync_admin(shop.app).health()
    assert "authorisation lost" in (h.detail or "") and h.dead == 0 and h.pending > 0
    eng.close()
    # the owner authorises again from the till; everything queued then goes out once
    authorise_from_cli(shop, intuit, "qb", monkeypatch)
    eng = engine(shop, intuit)
    drain(eng, intuit.clock)
    eng.close()
    receipts = doc_numbers(intuit, "SalesReceipt") + doc_numbers(intuit, "RefundReceipt")
    assert len(receipts) == len(set(receipts)) == 10


def browser(follow: list[str]) -> Any:
    """The "browser": opens the consent page, lets the fake redirect it (302), follows the
    redirect to the till's loopback listener — as a person's browser would."""
    def open_url(url: str) -> bool:
        def run() -> None:
            r = httpx.get(url, follow_redirects=False)
            assert r.status_code == 302, r.text
            location = r.headers["location"]
            follow.append(location)
            # a forged redirect (someone else's code, another state) is refused first
            forged = location.split("?")[0] + "?code=stolen&state=forged"
            follow.append(str(httpx.get(forged).status_code))
            follow.append(str(httpx.get(location).status_code))
        threading.Thread(target=run, daemon=True).start()
        return True
    return open_url


def authorise_from_cli(shop: Shop, intuit: Intuit, name: str,
                       monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import webbrowser

    followed: list[str] = []
    monkeypatch.setattr(webbrowser, "open", browser(followed))
    assert main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", "sync",
                 "connector", "auth", name, "--timeout", "20"]) == 0
    return followed


def test_oauth_loopback_flow_end_to_end(shop: Shop, intuit: Intuit,
                                        monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from .test_hledger import free_port

    redirect = f"http://localhost:{free_port()}/callback"
    add_qbo(shop, intuit, MAPPING, authorised=False, redirect=redirect)
    followed = authorise_from_cli(shop, intuit, "qb", monkeypatch)
    out = capsys.readouterr().out
    assert "appcenter" not in out and f"{intuit.oauth.url}/authorize?" in out  # URL printed
    assert followed[0].startswith(redirect + "?code=") and "realmId=" + REALM in followed[0]
    cfg = next(c for c in sync_store(shop.app).connectors() if c.name == "qb")
    assert cfg.settings["realm_id"] == REALM  # the company came with the redirect
    stored = TokenSet.from_json(secret_store(shop.app).get("qb", TOKENS_KEY) or "")
    assert stored.refresh_token in intuit.oauth.current_refresh_tokens()
    assert intuit.oauth.count("authorization_code", "ok") == 1
    assert followed[1:] == ["400", "200"]  # the forged one refused, the flow went on
    trade(shop)
    eng = engine(shop, intuit)
    drain(eng, intuit.clock)
    eng.close()
    assert len(doc_numbers(intuit, "SalesReceipt")) == 8



def test_production_keys_redirect_through_an_https_page_to_the_loopback_listener(
        shop: Shop, intuit: Intuit, monkeypatch: pytest.MonkeyPatch) -> None:
    """Intuit's production keys want an https redirect URI: the shop's forwarding page
    sends the browser on to the till's listener (``listen_uri``), query unchanged."""
    import webbrowser

    from .test_hledger import free_port

    page = "https://shop.example/pos-callback"
    listen = f"http://localhost:{free_port()}/callback"
    add_qbo(shop, intuit, MAPPING, authorised=False, redirect=page, listen_uri=listen)

    def open_url(url: str) -> bool:
        def run() -> None:
            r = httpx.get(url, follow_redirects=False)
            location = r.headers["location"]
            assert location.startswith(page + "?")
            httpx.get(listen + location[len(page):])  # what the forwarding page does
        threading.Thread(target=run, daemon=True).start()
        return True

    monkeypatch.setattr(webbrowser, "open", open_url)
    assert main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", "sync",
                 "connector", "auth", "qb", "--timeout", "20"]) == 0
    cfg = next(c for c in sync_store(shop.app).connectors() if c.name == "qb")
    assert cfg.settings["realm_id"] == REALM
    assert intuit.oauth.count("authorization_code", "ok") == 1  # exchanged with the https URI
