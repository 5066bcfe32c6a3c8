"""The Xero connector against a stateful local fake of the Accounting API and Xero's OAuth
server (real HTTP on loopback, every API request validated against Xero's OpenAPI)."""

from __future__ import annotations

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
from .fakes.xero_fake import XeroFake
from .test_beancount import assert_matches_report, trade
from .test_qbo import DiesOnStore, browser, discounted
from .test_sync import Clock, drain

CLIENT = "xero-desktop-client"  # a PKCE app: no client secret
SCOPES = ("offline_access", "accounting.transactions", "accounting.settings.read")
MAPPING = {"revenue.STD": "200", "revenue.RED": "201", "taxtype.STD": "OUTPUT2",
           "taxtype.RED": "OUTPUT3", "tender.cash": "090", "tender.card": "091",
           "tender.store_credit": "800", "tender.loyalty": "480", "rounding": "260"}
AS_LEDGER = {"090": "Assets:Cash", "091": "Assets:CardClearing", "200": "Income:Sales:Standard",
             "201": "Income:Sales:Reduced", "tax:OUTPUT2": "Liabilities:VAT:Standard",
             "tax:OUTPUT3": "Liabilities:VAT:Reduced", "260": "Income:CashRounding",
             "800": "Liabilities:StoreCredit", "480": "Expenses:Loyalty",
             "610": "Assets:Receivable"}


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


class Xero:
    def __init__(self, clock: Clock, **limits: Any) -> None:
        self.clock = clock
        now = lambda: clock.now.timestamp()  # noqa: E731
        # Xero documents a 30-minute grace period for a rotated refresh token
        self.oauth = OAuthFake(now, scopes=SCOPES, grace_s=1800)
        self.api = XeroFake(self.oauth, now, **limits)
        self.org = self.api.add_org("Corner Shop")
        self.other = self.api.add_org("Other Company")
        self.oauth.grant_extra = {"tenants": [self.org.tenant_id, self.other.tenant_id]}

    def stop(self) -> None:
        self.api.stop()
        self.oauth.stop()


@pytest.fixture
def xero() -> Iterator[Xero]:
    x = Xero(Clock())
    yield x
    x.stop()


def add_xero(shop: Shop, x: Xero, mapping: dict[str, str], authorised: bool = True,
             redirect: str = "http://localhost:8765/callback", **extra: str) -> None:
    x.oauth.add_client(CLIENT, None, redirect)
    settings = {"client_id": CLIENT, "api_url": f"{x.api.url}/api.xro/2.0",
                "connections_url": f"{x.api.url}/connections",
                "auth_url": f"{x.oauth.url}/authorize", "token_url": f"{x.oauth.url}/token",
                "redirect_uri": redirect,
                **({"tenant_id": x.org.tenant_id} if authorised else {}), **mapping, **extra}
    sets = [v for k, val in settings.items() for v in ("--set", f"{k}={val}")]
    assert main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", "sync",
                 "connector", "add", "xero", "--name", "xe", *sets, "--from-start"]) == 0
    if authorised:
        tokens = x.oauth.issue(Grant(CLIENT, SCOPES, dict(x.oauth.grant_extra)))
        secret_store(shop.app).set("xe", TOKENS_KEY, TokenSet.from_response(
            tokens, x.clock.now.timestamp()).to_json())


def engine(shop: Shop, x: Xero) -> Any:
    eng = build_sync_engine(shop.app)
    eng.clock, eng.sleep = x.clock, x.clock.advance
    for c in eng.connectors.values():
        if hasattr(c, "tokens"):
            c.tokens.clock = lambda: x.clock.now.timestamp()
    x.clock.advance(1)  # the mapping check's reads took their time (paced, real)
    return eng


def ledger(x: Xero) -> dict[str, Decimal]:
    return defaultdict(Decimal, {AS_LEDGER[k]: v for k, v in
                                 x.api.balances(x.org.tenant_id).items()})


def numbers(x: Xero) -> list[str]:
    return sorted([d["InvoiceNumber"] for d in x.org.invoices.values()]
                  + [d["CreditNoteNumber"] for d in x.org.credit_notes.values()])


def sell(shop: Shop, n: int, split: bool = True) -> None:
    co, u = shop.app.checkout, shop.cashier
    for _ in range(n):
        cart = co.new_cart()
        co.scan(cart, COFFEE, u)
        co.scan(cart, "TS-M", u)
        if split:
            co.pay_card(cart, u, 500)
        co.pay_cash(cart, co.cash_due(cart), u)
        co.complete(cart, u)


def test_unmapped_and_unknown_values_refuse_to_start_and_are_listed(shop: Shop,
                                                                     xero: Xero) -> None:
    add_xero(shop, xero, {k: v for k, v in MAPPING.items() if k not in ("taxtype.RED",
                                                                         "tender.card")})
    with pytest.raises(ConfigError, match=r"unmapped values: taxtype\.RED, tender\.card"):
        build_sync_engine(shop.app)
    sync_admin(shop.app).store.remove_connector("xe")
    add_xero(shop, xero, {**MAPPING, "tender.card": "200", "revenue.RED": "999",
                          "taxtype.STD": "OUTPUT9"})
    with pytest.raises(ConfigError) as err:
        build_sync_engine(shop.app)
    text = str(err.value)
    assert "revenue.RED (account '999' is not in Xero)" in text
    assert "tender.card (account '200' takes no payments" in text
    assert "taxtype.STD (tax type 'OUTPUT9' is not in Xero)" in text
    assert xero.api.violations == [] and xero.org.invoices == {}


def test_a_day_arrives_as_invoices_payments_and_credit_notes_matching_the_z_report(
        shop: Shop, xero: Xero) -> None:
    trade(shop)  # cash with rounding, split card, refunds to card and store credit, exchange
    discounted(shop)  # line and order discounts over both rates, split tender
    z = shop.app.shifts.close(shop.manager, {"cash": 0})
    add_xero(shop, xero, MAPPING)
    eng = engine(shop, xero)
    drain(eng, xero.clock)
    eng.close()
    api, org = xero.api, xero.org
    assert api.violations == []
    assert len(numbers(xero)) == len(set(numbers(xero))) == 11
    assert len(org.credit_notes) == 2
    assert all(d["Status"] == "PAID" for d in [*org.invoices.values(),
                                               *org.credit_notes.values()])
    books = ledger(xero)
    assert books["Assets:Receivable"] == 0  # every document settled by its tenders
    assert_matches_report(books, z)
    # every write carried an Idempotency-Key (else a violation) and the tenant header
    assert {c for _, c, _ in org.history if c.startswith("PUT")} <= {
        "PUT /api.xro/2.0/Invoices", "PUT /api.xro/2.0/CreditNotes",
        "PUT /api.xro/2.0/Payments"}
    [st] = sync_store(shop.app).status()
    assert (st.pending, st.dead) == (0, 0)


def test_daily_manual_journal_matches_the_z_report(shop: Shop, xero: Xero) -> None:
    trade(shop)
    z = shop.app.shifts.close(shop.manager, {"cash": 0})
    add_xero(shop, xero, {**MAPPING, "entries": "daily"})
    eng = engine(shop, xero)
    eng.run_until_idle()
    assert xero.org.journals == []  # the day is not over yet
    today = datetime.now().astimezone().date()
    xero.clock.now = datetime.combine(today + timedelta(days=1), time(2)).astimezone()
    drain(eng, xero.clock)  # hours later: the access token is refreshed first
    eng.close()
    [j] = xero.org.journals
    assert j["Date"] == today.isoformat() and "10 documents" in j["Narration"]
    assert xero.api.violations == [] and xero.org.invoices == {}
    assert_matches_report(ledger(xero), z)
    assert xero.oauth.count("refresh_token") >= 1


def test_one_refused_invoice_does_not_stop_the_others(shop: Shop, xero: Xero) -> None:
    sell(shop, 3)
    add_xero(shop, xero, MAPPING, concurrency="1")
    # someone typed invoice S1-T1-000002 by hand in Xero for something else
    hand = "6f1c3a52-8b7e-4d8c-9a3e-2b1f0c7d9e11"
    xero.org.invoices[hand] = {"InvoiceID": hand, "InvoiceNumber": "S1-T1-000002",
                               "Status": "AUTHORISED", "Reference": "typed by hand",
                               "Payments": [], "LineItems": [], "Total": Decimal(0),
                               "AmountDue": Decimal(5)}
    eng = engine(shop, xero)
    drain(eng, xero.clock)
    eng.close()
    created = [d for k, d in xero.org.invoices.items() if k != hand]
    assert sorted(d["InvoiceNumber"] for d in created) == ["S1-T1-000001", "S1-T1-000003"]
    assert all(d["Status"] == "PAID" for d in created)
    assert xero.org.invoices[hand]["Payments"] == []  # never paid as if it were ours
    assert xero.api.violations == []
    [dead] = sync_store(shop.app).dead_letters()
    assert "S1-T1-000002" in dead.error and "did not make" in dead.error


def test_a_lost_answer_is_replayed_by_idempotency_key(shop: Shop, xero: Xero) -> None:
    sell(shop, 4)
    add_xero(shop, xero, MAPPING, concurrency="1")
    xero.api.drops.add("PUT", r"/Payments$", times=1)  # paid at Xero, the answer lost
    eng = engine(shop, xero)
    drain(eng, xero.clock)
    eng.close()
    assert xero.api.drops.dropped == 1 and xero.api.replays == 2  # invoices and payments
    assert len(numbers(xero)) == 4 and len(xero.org.payments) == 8  # cash and card each
    assert_matches_report(ledger(xero), shop.app.shifts.x_report(shop.manager))


def test_a_restart_after_a_lost_answer_looks_up_and_pays_only_what_is_missing(
        shop: Shop, xero: Xero) -> None:
    sell(shop, 4)
    add_xero(shop, xero, MAPPING)
    store = sync_store(shop.app)
    store.enqueue("xe", xero.clock(), 1000)
    due = [d for d in store.due("xe", xero.clock(), 100) if d.event.type == "sale.completed"]
    first = engine(shop, xero)
    xero.api.drops.add("PUT", r"/Invoices$", times=1)
    results = first.connectors["xe"].deliver_batch(due)
    assert all(isinstance(r, Exception) for r in results)
    assert len(xero.org.invoices) == 4 and xero.org.payments == []  # created, unpaid
    first.close()  # the process dies; a new one knows nothing of that request
    second = engine(shop, xero)
    drain(second, xero.clock)
    second.close()
    assert len(numbers(xero)) == 4 and len(xero.org.payments) == 8 and xero.api.replays == 0
    assert all(d["Status"] == "PAID" for d in xero.org.invoices.values())


def test_rate_limits_from_the_headers_and_retry_after(shop: Shop) -> None:
    x = Xero(Clock(), per_minute=60)
    try:
        sell(shop, 30, split=False)
        add_xero(shop, x, MAPPING, batch_size="1", concurrency="20")  # capped at 5 lanes
        eng = engine(shop, x)
        drain(eng, x.clock)
        api, org = x.api, x.org
        assert api.throttled == [] and len(org.invoices) == 30
        assert org.max_in_flight <= 5  # 20 lanes asked for, capped at Xero's 5
        times = [t for t, _, _ in org.history]
        assert all(sum(1 for t in times if a <= t < a + 60) <= 60 for a in times)
        # another app of the shop spends the organisation's minute (our client never saw
        # those answers' headers): Xero answers 429 with Retry-After
        sell(shop, 2, split=False)
        x.clock.advance(61)
        org.minute.extend([x.clock.now.timestamp()] * 60)
        eng.run_until_idle()
        assert [p for _, p in api.throttled] == ["minute"]
        [(when, _)] = api.throttled
        drain(eng, x.clock)
        eng.close()
        assert len(org.invoices) == 32 and len(api.throttled) == 1
        later = [t for t, _, s in org.history if t > when]
        assert later and min(later) - when >= 59  # Retry-After waited out
    finally:
        x.stop()


def test_the_day_limit_header_holds_everything_back(shop: Shop) -> None:
    x = Xero(Clock(), per_day=8)
    try:
        sell(shop, 10, split=False)
        add_xero(shop, x, MAPPING, batch_size="1", concurrency="1")
        eng = engine(shop, x)
        eng.run_until_idle()
        # X-DayLimit-Remaining reached 0: the connector stopped asking, Xero never said 429
        assert x.api.throttled == [] and len(x.org.day) == 8
        [st] = sync_store(shop.app).status()
        assert st.pending > 0 and st.dead == 0
        eng.close()
    finally:
        x.stop()


def test_token_refreshed_mid_run_and_a_crash_before_storing_is_recovered_by_the_grace(
        shop: Shop, xero: Xero) -> None:
    from sync.connectors.xero import XeroConnector

    add_xero(shop, xero, MAPPING)
    secrets = secret_store(shop.app)
    eng = engine(shop, xero)
    sell(shop, 2)
    xero.clock.advance(3500)
    drain(eng, xero.clock)  # refreshed before it expired
    xero.oauth.expire_access_tokens()
    sell(shop, 2)
    drain(eng, xero.clock)  # and on the 401
    eng.close()
    stored = TokenSet.from_json(secrets.get("xe", TOKENS_KEY) or "")
    assert xero.oauth.count("refresh_token", "ok") == 2
    assert stored.refresh_token in xero.oauth.current_refresh_tokens()
    # the process is killed after Xero rotated the token and before it was stored
    cfg = next(c for c in sync_store(shop.app).connectors() if c.name == "xe")
    dying = XeroConnector(cfg, DiesOnStore(secrets), clock=lambda: xero.clock.now.timestamp())
    xero.clock.advance(3600)
    with pytest.raises(SystemExit):
        dying.tokens.access_token()
    dying.close()
    assert TokenSet.from_json(secrets.get("xe", TOKENS_KEY) or "") == stored  # the old one
    sell(shop, 1)
    eng = engine(shop, xero)  # restarted within Xero's 30-minute grace: not bricked
    drain(eng, xero.clock)
    eng.close()
    assert xero.oauth.count("refresh_token", "ok (grace)") == 1
    again = TokenSet.from_json(secrets.get("xe", TOKENS_KEY) or "")
    assert again.refresh_token in xero.oauth.current_refresh_tokens()
    assert len(numbers(xero)) == 5


def test_pkce_flow_and_tenant_selection_end_to_end(shop: Shop, xero: Xero,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: Any) -> None:
    import webbrowser

    from .test_hledger import free_port

    redirect = f"http://localhost:{free_port()}/callback"
    add_xero(shop, xero, MAPPING, authorised=False, redirect=redirect)
    followed: list[str] = []
    monkeypatch.setattr(webbrowser, "open", browser(followed))
    base = ["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", "sync",
            "connector", "auth", "xe", "--timeout", "20"]
    assert main(base) == 1  # two organisations: which one?
    err = capsys.readouterr().err
    assert "Corner Shop" in err and "Other Company" in err
    assert "code_challenge_method=S256" in followed[0] or xero.oauth.count("authorize", "ok")
    followed.clear()
    assert main([*base, "--tenant", "Corner Shop"]) == 0
    assert followed[1:] == ["400", "200"]  # a forged state refused, then the real redirect
    cfg = next(c for c in sync_store(shop.app).connectors() if c.name == "xe")
    assert cfg.settings["tenant_id"] == xero.org.tenant_id
    assert xero.oauth.count("authorization_code", "ok") == 2
    # a code exchanged without its verifier is refused (PKCE)
    r = httpx.post(f"{xero.oauth.url}/token", data={"grant_type": "authorization_code",
                                                     "code": "x", "client_id": CLIENT})
    assert r.status_code == 400
    sell(shop, 2)
    eng = engine(shop, xero)
    drain(eng, xero.clock)
    eng.close()
    assert len(numbers(xero)) == 2 and xero.other.invoices == {}
