#!/usr/bin/env node
// A real Vendure server for the vendure connector's tests: sql.js (SQLite compiled to
// WASM, so nothing native to build), bearer tokens, loopback only. Configured by env:
//   VENDURE_PORT          port on 127.0.0.1 (required)
//   VENDURE_DB            sql.js database file (required; a temp dir in the tests)
//   VENDURE_SUPERADMIN_USER / VENDURE_SUPERADMIN_PASSWORD  superadmin credentials
//   VENDURE_WEBHOOK_URL / VENDURE_WEBHOOK_SECRET           optional: POST a signed
//       notification there for every product/variant/price change (see notify below)
// Prints "VENDURE READY <port>" once the API is listening.
'use strict';
process.env.VENDURE_DISABLE_TELEMETRY = 'true';
const crypto = require('node:crypto');
const http = require('node:http');
const {
    bootstrap, EventBus, ProductEvent, ProductVariantEvent, ProductVariantPriceEvent,
} = require('@vendure/core');

// The default bcrypt strategy needs a native module (and its install script); scrypt is
// built into Node and just as fit for a test server.
class ScryptHashing {
    async hash(plain) {
        const salt = crypto.randomBytes(16);
        return `scrypt$${salt.toString('hex')}$${crypto.scryptSync(plain, salt, 32).toString('hex')}`;
    }
    async check(plain, stored) {
        const [, salt, hash] = String(stored).split('$');
        if (!salt || !hash) return false;
        const got = crypto.scryptSync(plain, Buffer.from(salt, 'hex'), 32);
        return crypto.timingSafeEqual(got, Buffer.from(hash, 'hex'));
    }
}

const port = Number(process.env.VENDURE_PORT);
if (!port || !process.env.VENDURE_DB) {
    console.error('set VENDURE_PORT and VENDURE_DB');
    process.exit(2);
}

const config = {
    apiOptions: {
        hostname: '127.0.0.1',
        port,
        adminApiPath: 'admin-api',
        shopApiPath: 'shop-api',
        adminApiPlayground: false,
        shopApiPlayground: false,
    },
    authOptions: {
        tokenMethod: ['bearer'],
        requireVerification: false,
        passwordHashingStrategy: new ScryptHashing(),
        superadminCredentials: {
            identifier: process.env.VENDURE_SUPERADMIN_USER || 'superadmin',
            password: process.env.VENDURE_SUPERADMIN_PASSWORD || 'superadmin',
        },
    },
    dbConnectionOptions: {
        type: 'sqljs',
        location: process.env.VENDURE_DB,
        autoSave: true,
        synchronize: true,
        logging: false,
    },
    paymentOptions: { paymentMethodHandlers: [] },
    // Required at every shop that the POS syncs stock to: the connector records here the
    // POS stock events already applied to a variant, in the same write as the stock, so
    // a retry after a lost answer never applies a delta twice.
    customFields: {
        ProductVariant: [
            { name: 'posStockEvents', type: 'text', nullable: true, public: false },
            // optional: only for matching POS items by barcode (connector match=barcode)
            { name: 'barcode', type: 'string', nullable: true, public: false },
        ],
    },
    plugins: [],
};

// Change notifications, signed like the POS's own webhooks: header X-POS-Signature
// "t=<unix>,v1=<hex HMAC-SHA256 of '<t>.<body>'>".
function notify(body) {
    const url = process.env.VENDURE_WEBHOOK_URL;
    const secret = process.env.VENDURE_WEBHOOK_SECRET || '';
    if (!url) return;
    const data = Buffer.from(JSON.stringify(body));
    const t = Math.floor(Date.now() / 1000);
    const mac = crypto.createHmac('sha256', secret).update(`${t}.`).update(data).digest('hex');
    const req = http.request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': data.length,
                   'X-POS-Signature': `t=${t},v1=${mac}` },
    }, res => res.resume());
    req.on('error', err => console.error(`notify ${url}: ${err.message}`));
    req.end(data);
}

bootstrap(config).then(app => {
    const bus = app.get(EventBus);
    bus.ofType(ProductEvent).subscribe(e => notify({
        type: `product.${e.type}`, product_ids: [String(e.entity.id)] }));
    bus.ofType(ProductVariantEvent).subscribe(e => notify({
        type: `variant.${e.type}`, variant_ids: e.entity.map(v => String(v.id)) }));
    bus.ofType(ProductVariantPriceEvent).subscribe(e => notify({
        type: `price.${e.type}`, variant_ids: e.entity.map(p => String(p.variant && p.variant.id || p.variantId)) }));
    console.log(`VENDURE READY ${port}`);
}).catch(err => {
    console.error(err);
    process.exit(1);
});

for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => process.exit(0));
}
