"""The demo store: a realistic catalog of any size, users for every role, and a scripted sale.

Large catalogs are written with the bulk path in ``persistence.bulk`` (plain
executemany in big transactions) so 1,000,000 variants build in minutes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from biip.checksums import gs1_price_weight_check_digit

from .app import App, init_store, open_app
from .domain.barcodes import gtin_check_digit, parse_scan
from .domain.pricing import BuyXGetY, QuantityPrice
from .domain.stock import MovementKind
from .domain.users import Role
from .persistence.bulk import BulkProduct, BulkVariant, bulk_load

Progress = Callable[[int, int], None]

DEMO_USERS = [("cashier", "1111", Role.CASHIER), ("supervisor", "2222", Role.SUPERVISOR),
              ("manager", "3333", Role.MANAGER), ("admin", "9999", Role.ADMIN)]
TAXES = [("STD", "Standard rate", "0.19"), ("RED", "Reduced rate", "0.07"),
         ("ZERO", "Zero rate", "0")]

# Well-known codes the README, demo sale and tests use.
COFFEE_GTIN = "4006381333931"
CHEESE_ITEM = "1234"  # German weight label 28 1234 c wwwww k, price per kg
BREAD_ITEM = "5678"  # German price label 22 5678 c ppppp k


def with_check(body: str) -> str:
    return body + str(gtin_check_digit(body))


def german_label(prefix: str, item: str, value: int) -> str:
    """A German RCN label: weight in grams (28/29) or price in cents (22/23)."""
    digits = f"{value:05d}"
    return with_check(f"{prefix}{item}{gs1_price_weight_check_digit(digits)}{digits}")


CATEGORIES = {
    "Clothing": ("STD", ["T-shirt", "Hoodie", "Jeans", "Jacket", "Dress", "Shirt", "Sweater",
                         "Shorts", "Skirt", "Coat"]),
    "Shoes": ("STD", ["Sneaker", "Boot", "Sandal", "Loafer", "Slipper"]),
    "Groceries": ("RED", ["Pasta", "Rice", "Olive oil", "Tomato sauce", "Muesli", "Honey",
                          "Chocolate", "Biscuits", "Tea", "Jam"]),
    "Drinks": ("STD", ["Orange juice", "Apple juice", "Sparkling water", "Lemonade",
                       "Cola", "Iced tea"]),
    "Household": ("STD", ["Candle", "Towel", "Mug", "Plate", "Vase", "Cushion", "Lamp"]),
    "Books": ("RED", ["Novel", "Cookbook", "Atlas", "Notebook", "Diary"]),
    "Toys": ("STD", ["Puzzle", "Board game", "Teddy bear", "Kite", "Yo-yo"]),
    "Garden": ("STD", ["Trowel", "Seeds", "Watering can", "Flower pot", "Gloves"]),
    "Baby": ("ZERO", ["Nappies", "Baby wipes", "Bottle"]),
}
ADJECTIVES = ["Classic", "Organic", "Premium", "Nordic", "Urban", "Vintage", "Bright", "Cosy",
              "Alpine", "Coastal", "Rustic", "Modern", "Golden", "Wild", "Smart", "Gentle",
              "Bold", "Fresh", "Royal", "Little"]
BRANDS = ["Aurora", "Birch", "Cobalt", "Dune", "Ember", "Fjord", "Granite", "Harbor",
          "Iris", "Juniper", "Kestrel", "Linden", "Meadow", "Nimbus", "Orchid", "Pebble",
          "Quartz", "Ridge", "Sable", "Tundra"]
SIZES = ["S", "M", "L", "XL"]
COLOURS = ["Black", "White", "Navy", "Red", "Green", "Grey"]


def _catalog(skus: int, rng: random.Random) -> Iterator[BulkProduct]:
    """Products until ``skus`` variants; clothing and shoes get a size x colour matrix."""
    made = 0
    n = 0
    cats = list(CATEGORIES.items())
    yield BulkProduct("Coffee beans 1 kg", "Groceries", "RED", False,
                      [BulkVariant("COF-1KG", 1299, 650, [COFFEE_GTIN])])
    cheese_key = parse_scan(german_label("28", CHEESE_ITEM, 1000), currency_code="EUR",
                            rcn_region="germany").lookup_key
    yield BulkProduct("Mountain cheese (per kg)", "Groceries", "RED", True,
                      [BulkVariant("CHEESE-KG", 2490, 1500, [cheese_key])])
    bread_key = parse_scan(german_label("22", BREAD_ITEM, 100), currency_code="EUR",
                           rcn_region="germany").lookup_key
    yield BulkProduct("Farmhouse bread (priced label)", "Groceries", "RED", False,
                      [BulkVariant("BREAD-LBL", 0, 0, [bread_key])])
    made = 3
    while made < skus:
        n += 1
        cat, (tax, nouns) = cats[n % len(cats)]
        name = f"{rng.choice(BRANDS)} {rng.choice(ADJECTIVES)} {rng.choice(nouns)} {n}"
        base = rng.randrange(99, 15000)
        weighed = cat == "Groceries" and n % 97 == 0
        variants: list[BulkVariant] = []
        if cat in ("Clothing", "Shoes") and not weighed:
            colours = rng.sample(COLOURS, 3)
            for size in SIZES:
                for colour in colours:
                    if made + len(variants) >= skus:
                        break
                    variants.append(BulkVariant(f"P{n}-{size}-{colour.upper()}", base,
                                                base // 2, [], size, colour))
        else:
            variants.append(BulkVariant(f"P{n}", base, base // 2, []))
        made += len(variants)
        yield BulkProduct(name + (" (per kg)" if weighed else ""), cat, tax, weighed, variants)


def build_demo_store(directory: str | Path | None, skus: int, seed: int = 42,
                     progress: Progress | None = None, history_days: int = 0) -> str:
    app = init_store(directory, store_name="Demo Store", store_code="S1", till_code="T1",
                     currency="EUR", tax_mode="inclusive", admin_user="admin",
                     admin_pin="9999", taxes=TAXES)
    try:
        admin = app.auth.login("admin", "9999")
        for username, pin, role in DEMO_USERS:
            if role is not Role.ADMIN:
                app.auth.create_user(admin, username, username.capitalize(), role, pin)
        app.settings.set(admin, "rcn_region", "germany")
        app.settings.set(admin, "receipt_header", "Market Street 1, Springfield")
        rng = random.Random(seed)
        stats = bulk_load(app.engine, app.ctx, _catalog(skus, rng), seed=seed,
                          progress=progress)
        _demo_extras(app, admin.id)
        sales = 0
        if history_days:
            from .demo_history import ring_history

            sales = ring_history(app, history_days)
        history = f", {sales} sales over the last {history_days} days" if sales else ""
        return (f"demo store in {app.data_dir}: {stats.products} products, {stats.variants} "
                f"variants, {len(DEMO_USERS)} users, 50 customers{history}")
    finally:
        app.close()


def _demo_extras(app: App, admin_id: str) -> None:
    admin = app.auth.login("admin", "9999")
    for i in range(1, 51):
        exempt = i == 50
        app.customers.add(admin, f"C{i:04d}", f"Customer {i}", f"customer{i}@example.com",
                          tax_exempt=exempt, exemption_ref="EX-2026-0050" if exempt else None)
    with app.store.tx() as tx:  # the first two single-variant products, if the store has them
        found = [v for v in (tx.variant_by_sku(f"P{n}") for n in range(1, 40)) if v][:2]
    if len(found) == 2:
        t1, t2 = found
        app.catalog.add_promotion(admin, QuantityPrice("3FOR2", frozenset({t1.id}), 3,
                                                       t1.price * 2))
        app.catalog.add_promotion(admin, BuyXGetY("B2G1", frozenset({t2.id}), 2, 1))
    app.stock.adjust(admin, "CHEESE-KG", Decimal("25.000"), "opening stock",
                     MovementKind.RECEIVING)
    app.stock.adjust(admin, "COF-1KG", Decimal(240), "opening stock", MovementKind.RECEIVING)
    app.shifts.open(admin, 10000)


def open_demo(directory: str | Path | None) -> App:
    return open_app(directory)
