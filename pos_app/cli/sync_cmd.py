"""``pos sync``: connectors, status, running the engine, retrying and skipping dead letters."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sync.connectors.base import ConfigError, check_settings, secret_keys
from sync.health import is_offline, summary
from sync.inbound import InboundPoller, Listener, listening
from sync.model import ConnectorConfig, SyncError
from sync.registry import connector_type, connector_types

from ..app import (
    App,
    build_inbound_poller,
    build_sync_engine,
    inbound_store,
    secret_store,
    sync_admin,
    sync_store,
)
from ..domain.errors import NotFound, ValidationError
from ..domain.money import format_plain
from ..domain.users import Permission
from .args import parse_pairs


def add_parser(sub: Any, common: argparse.ArgumentParser, parser_class: type) -> None:
    s = sub.add_parser("sync", help="deliver outbox events to back-office systems",
                       parents=[common])
    ss = s.add_subparsers(dest="action", required=True, parser_class=parser_class)
    st = ss.add_parser("status", help="per connector: state, pending, in flight, dead, oldest "
                       "waiting, last success and error, open alerts", parents=[common])
    st.add_argument("--json", action="store_true")
    run = ss.add_parser("run", help="run the engine (a service loop unless --once/--until-idle)",
                        parents=[common])
    run.add_argument("--once", action="store_true", help="one round, then exit")
    run.add_argument("--until-idle", action="store_true",
                     help="until nothing is due now (later retries stay queued)")
    run.add_argument("--connector", help="only this connector")
    pull = ss.add_parser("pull", help="pull catalog and price changes from the targets that "
                         "can (once, until nothing new)", parents=[common])
    pull.add_argument("--connector", help="only this connector")
    pull.add_argument("--full", action="store_true", help="from the start, not the cursor")
    listen = ss.add_parser("listen", help="pull on an interval, and at once when a signed "
                           "change notification arrives at /NAME", parents=[common])
    listen.add_argument("--port", type=int, required=True)
    listen.add_argument("--host", default="127.0.0.1")
    listen.add_argument("--connector", help="only this connector")
    conf = ss.add_parser("conflicts", help="changes at targets that disagree with data the "
                         "POS owns", parents=[common])
    conf.add_argument("--connector")
    conf.add_argument("--all", action="store_true", help="resolved ones too")
    conf.add_argument("--json", action="store_true")
    res = ss.add_parser("resolve", help="close a conflict (audited)", parents=[common])
    res.add_argument("conflict_id")
    res.add_argument("--note", required=True, help="what was decided")
    ss.add_parser("mapping", help="POS items and locations vs the target's; exit 1 when "
                  "something is unmapped", parents=[common]).add_argument("name")
    retry = ss.add_parser("retry", help="deliver a dead letter again (audited); --all: every "
                          "dead letter and waiting retry", parents=[common])
    retry.add_argument("event_id", nargs="?")
    retry.add_argument("--all", action="store_true")
    retry.add_argument("--connector")
    skip = ss.add_parser("skip", help="give up on a dead letter (audited)", parents=[common])
    skip.add_argument("event_id")
    skip.add_argument("--connector")
    ss.add_parser("dead", help="list dead letters", parents=[common])
    rec = ss.add_parser("reconcile", help="POS totals of a day vs what each target "
                        "acknowledged; exit 1 when they differ", parents=[common])
    rec.add_argument("--date", required=True, help="YYYY-MM-DD, the till's local day")
    rec.add_argument("--connector")
    rec.add_argument("--json", action="store_true")
    c = ss.add_parser("connector", help="add, list, test or remove connectors",
                      parents=[common])
    cs = c.add_subparsers(dest="connector_action", required=True, parser_class=parser_class)
    add = cs.add_parser("add", help="add a connector", parents=[common])
    add.add_argument("type")
    add.add_argument("--name", required=True)
    add.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    add.add_argument("--from-start", action="store_true",
                     help="also deliver every event already in the outbox")
    cs.add_parser("list", help="configured connectors and installed types", parents=[common])
    change = cs.add_parser("set", help="change settings (mapping, URL, limits, secrets), "
                           "checked and audited; then `pos sync retry`", parents=[common])
    change.add_argument("name")
    change.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    change.add_argument("--unset", action="append", default=[], metavar="KEY")
    for name in ("test", "remove"):
        cs.add_parser(name, help=f"{name} a connector", parents=[common]).add_argument("name")
    auth = cs.add_parser("auth", help="connect an OAuth connector (QuickBooks, Xero): opens "
                         "the browser, waits for the redirect", parents=[common])
    auth.add_argument("name")
    auth.add_argument("--tenant", help="Xero: the organisation (name or id) if several")
    auth.add_argument("--no-browser", action="store_true", help="only print the address")
    auth.add_argument("--timeout", type=float, default=300, help="seconds to wait")


def run(ns: argparse.Namespace, app: App, login: Any, out: Any) -> int:
    store = sync_store(app)
    if ns.action == "status":
        return _status(ns, app, store, out)
    if ns.action == "dead":
        for d in store.dead_letters():
            out(f"{d.event_id}  {d.connector:<16} {d.event_type:<20} after {d.attempts} "
                f"attempts: {d.error}")
        return 0
    if ns.action == "run":
        return _run_engine(ns, app, out)
    if ns.action in ("pull", "listen"):
        return _inbound(ns, app, out)
    if ns.action == "conflicts":
        return _conflicts(ns, app, out)
    if ns.action == "mapping":
        return _mapping(ns, app, store, out)
    if ns.action == "reconcile":
        return _reconcile(ns, app, store, out)
    user = login()
    app.auth.require(user, Permission.SETTINGS)
    if ns.action == "resolve":
        if not inbound_store(app).resolve(ns.conflict_id, user.id, ns.note):
            raise NotFound(f"no open conflict {ns.conflict_id}")
        out(f"conflict {ns.conflict_id} resolved")
        return 0
    admin = sync_admin(app)
    if ns.action == "retry":
        if ns.all == bool(ns.event_id):
            raise ValidationError("name one event id, or --all (with --connector N: one "
                                  "connector's)")
        if ns.all:
            out(f"retry: {admin.retry_all(user, ns.connector)} delivery(ies) due again now")
        else:
            n = admin.retry(user, ns.event_id, ns.connector)
            out(f"retry: {n} delivery(ies) of {ns.event_id}")
        return 0
    if ns.action == "skip":
        n = admin.skip(user, ns.event_id, ns.connector)
        out(f"skip: {n} delivery(ies) of {ns.event_id}")
        return 0
    if ns.connector_action == "auth":
        return _auth(ns, app, admin, user, out)
    if ns.connector_action == "set":
        cfg = admin.set_connector(user, ns.name, parse_pairs(ns.set), ns.unset)
        out(f"connector {cfg.name} changed; a running `pos sync run` uses the new settings "
            "within seconds")
        return 0
    return _connector(ns, app, store, out)


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    return f"{s} s" if s < 120 else f"{s // 60} min" if s < 7200 else f"{s // 3600} h"


def _status(ns: argparse.Namespace, app: App, store: Any, out: Any) -> int:
    healths = sync_admin(app).health()
    counts = {st.name: st for st in store.status()}
    if ns.json:
        out(json.dumps({"offline": is_offline(healths), "summary": summary(healths),
                        "connectors": [{**asdict(h), "delivered": counts[h.name].delivered,
                                        "skipped": counts[h.name].skipped}
                                       for h in healths]}, indent=2, default=str))
        return 0
    for h in healths:
        st = counts[h.name]
        last_ok = h.last_success.strftime("%Y-%m-%d %H:%M:%S") if h.last_success else "-"
        out(f"{h.name:<16} {h.type:<10} {h.state:<8} pending {h.pending:>6}  in flight "
            f"{h.in_flight:>4}  delivered {st.delivered:>7}  dead {h.dead:>4}  skipped "
            f"{st.skipped:>4}  oldest waiting {_age(h.oldest_pending_s)}  last success "
            f"{last_ok}")
        out(f"  {h.message}" + (f"  (alerts: {', '.join(h.alerts)})" if h.alerts else ""))
        if h.detail:
            out(f"  last error: {h.detail}")
    if healths:
        out(summary(healths))
    else:
        out("no connectors: add one with `pos sync connector add webhook --name …`")
    return 0


def _connector(ns: argparse.Namespace, app: App, store: Any, out: Any) -> int:
    secrets = secret_store(app)
    action = ns.connector_action
    if action == "list":
        for cfg in store.connectors():
            out(f"{cfg.name:<16} {cfg.type:<10} {cfg.settings}")
        out("installed types: " + ", ".join(sorted(connector_types())))
        return 0
    if action == "add":
        kind = connector_type(ns.type)
        values = parse_pairs(ns.set)
        try:
            check_settings(kind.schema, values)
        except ConfigError as exc:
            raise ValidationError(str(exc)) from exc
        if any(c.name == ns.name for c in store.connectors()):
            raise ValidationError(f"a connector named {ns.name!r} exists already")
        hidden = secret_keys(kind.schema, values)
        plain = {k: v for k, v in values.items() if k not in hidden}
        for key in hidden:
            secrets.set(ns.name, key, values[key])
        store.add_connector(ConnectorConfig(ns.name, ns.type, plain), from_start=ns.from_start)
        out(f"connector {ns.name} ({ns.type}) added; secrets kept in {secrets.where}")
        return 0
    configs = {c.name: c for c in store.connectors()}
    if ns.name not in configs:
        raise NotFound(f"no connector {ns.name!r}")
    if action == "remove":
        store.remove_connector(ns.name)
        secrets.delete(ns.name)
        out(f"connector {ns.name} removed")
        return 0
    connector = _open_connector(app, configs[ns.name])
    try:
        out(connector.test())
    except (SyncError, ConfigError) as exc:
        raise ValidationError(f"test of {ns.name} failed: {exc}") from exc
    finally:
        connector.close()
    return 0


def _auth(ns: argparse.Namespace, app: App, admin: Any, user: Any, out: Any) -> int:
    """OAuth consent in the system browser; tokens to the keyring, company/tenant kept."""
    import webbrowser

    from sync.oauth import OAuthError

    configs = {c.name: c for c in sync_store(app).connectors()}
    if ns.name not in configs:
        raise NotFound(f"no connector {ns.name!r}")
    cfg = configs[ns.name]
    kind = connector_type(cfg.type)
    if not hasattr(kind, "authorise"):
        raise ValidationError(f"{cfg.type} connectors do not sign in with OAuth")

    def show(url: str) -> None:
        out(f"Sign in and allow access at this address (your browser opens it):\n{url}")
        if not ns.no_browser:
            webbrowser.open(url)

    try:
        settings = kind.authorise(cfg, secret_store(app), open_browser=show,
                                  timeout_s=ns.timeout, tenant=ns.tenant, out=out)
    except (OAuthError, ConfigError, SyncError) as exc:
        raise ValidationError(f"authorising {ns.name} failed: {exc}") from exc
    changed = {k: v for k, v in settings.items() if cfg.settings.get(k) != v}
    if changed:
        admin.set_connector(user, ns.name, changed)
    out(f"connector {ns.name} authorised" + "".join(f"; {k}={v}" for k, v in settings.items()))
    return 0


def _open_connector(app: App, cfg: ConnectorConfig) -> Any:
    try:
        connector = connector_type(cfg.type)(cfg, secret_store(app))
    except ConfigError as exc:
        raise ValidationError(str(exc)) from exc
    if hasattr(connector, "bind"):
        connector.bind(inbound_store(app))
    return connector


def _mapping(ns: argparse.Namespace, app: App, store: Any, out: Any) -> int:
    configs = {c.name: c for c in store.connectors()}
    if ns.name not in configs:
        raise NotFound(f"no connector {ns.name!r}")
    connector = _open_connector(app, configs[ns.name])
    try:
        if not hasattr(connector, "mapping"):
            out(f"{ns.name} ({configs[ns.name].type}) maps no items")
            return 0
        report = connector.mapping()
        for line in report.lines():
            out(line)
        unmapped = report.unmapped(configs[ns.name].settings.get("unmatched", "refuse"))
    except SyncError as exc:
        raise ValidationError(f"cannot read the mapping of {ns.name}: {exc}") from exc
    finally:
        connector.close()
    if unmapped:
        out(f"unmapped: {', '.join(unmapped)}")
        return 1
    out("mapping complete")
    return 0


def _conflicts(ns: argparse.Namespace, app: App, out: Any) -> int:
    found = inbound_store(app).conflicts(ns.connector, include_resolved=ns.all)
    if ns.json:
        out(json.dumps([asdict(c) for c in found], indent=2))
        return 0
    for c in found:
        out(f"{c.id}  {c.at[:19]}  {c.connector:<12} {c.sku:<16} {c.field:<6} POS "
            f"{c.pos_value!r} vs target {c.target_value!r} ({c.ref})"
            + (f"  resolved {c.resolved}" if c.resolved else ""))
    if not found:
        out("no open conflicts" if not ns.all else "no conflicts")
    return 0


def _inbound(ns: argparse.Namespace, app: App, out: Any) -> int:
    try:
        engine = build_sync_engine(app, ns.connector)
    except ConfigError as exc:
        raise ValidationError(str(exc)) from exc
    try:
        poller = build_inbound_poller(app, engine)
        if not poller.connectors:
            raise ValidationError("no connector that can pull is configured")
        if ns.action == "pull":
            for name in poller.connectors:
                if ns.full:
                    inbound_store(app).reset_cursor(name)
                try:
                    out(f"{name}: {poller.poll_until_idle(name)}")
                except SyncError as exc:
                    raise ValidationError(f"pull from {name} failed: {exc}") from exc
            return 0
        return _listen(ns, app, poller, out)
    finally:
        engine.close()


def _listen(ns: argparse.Namespace, app: App, poller: InboundPoller, out: Any) -> int:
    secrets = secret_store(app)
    keys = {n: k for n in poller.connectors if (k := secrets.get(n, "webhook_secret"))}
    hooks = {n: c.webhook for n, c in poller.connectors.items() if hasattr(c, "webhook")}
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (stop.set(), poller.wake()))
    listener = Listener(keys, poller.wake, hooks=hooks)
    with listening(listener, ns.host, ns.port):
        out(f"listening on {listener.url}/NAME for {', '.join(sorted(keys)) or 'nobody'} "
            f"(webhook_secret set); pulling {', '.join(poller.connectors)}; Ctrl+C stops")
        poller.run_forever(stop)
    return 0


def _run_engine(ns: argparse.Namespace, app: App, out: Any) -> int:
    try:
        engine = build_sync_engine(app, ns.connector)
    except ConfigError as exc:
        raise ValidationError(str(exc)) from exc
    try:
        if ns.once or ns.until_idle:
            stats = engine.run_once() if ns.once else engine.run_until_idle()
            out(f"enqueued {stats.enqueued}, delivered {stats.delivered}, "
                f"retrying {stats.retried}, dead {stats.dead}")
            return 0
        stop = threading.Event()
        poller = build_inbound_poller(app, engine)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: (stop.set(), poller.wake()))
        out(f"sync running for {', '.join(engine.connectors) or 'no connectors'}; "
            "Ctrl+C stops")
        inbound = threading.Thread(target=poller.run_forever, args=(stop,), daemon=True,
                                   name="sync-inbound")
        if poller.connectors:  # pulls from the targets that can, on their intervals
            inbound.start()
        engine.run_forever(stop)
        if inbound.is_alive():
            inbound.join(30)
        return 0
    finally:
        engine.close()


def _reconcile(ns: argparse.Namespace, app: App, store: Any, out: Any) -> int:
    try:
        day = date.fromisoformat(ns.date)
    except ValueError as exc:
        raise ValidationError(f"--date {ns.date!r}: use YYYY-MM-DD") from exc
    local = datetime.now().astimezone().tzinfo
    start = datetime.combine(day, time.min, local).astimezone(UTC)
    end = start + timedelta(days=1)
    names = [c.name for c in store.connectors() if ns.connector in (None, c.name)]
    if not names:
        raise NotFound("no such connector" if ns.connector else "no connectors configured")
    reports = [store.reconcile(n, start, end) for n in names]
    cur = app.ctx.currency
    if ns.json:
        out(json.dumps([{**asdict(r), "matches": r.matches} for r in reports], indent=2))
    else:
        for r in reports:
            out(f"{r.connector}: POS {r.pos_count} documents {format_plain(r.pos_amount, cur)}"
                f" {cur}; acknowledged {r.acked_count} {format_plain(r.acked_amount, cur)} "
                f"{cur}" + ("  OK" if r.matches else f"  {len(r.missing)} missing"))
            for receipt, amount, state, error in r.missing:
                out(f"  {receipt} {format_plain(amount, cur):>10} {state}"
                    + (f": {error}" if error else ""))
    return 0 if all(r.matches for r in reports) else 1
