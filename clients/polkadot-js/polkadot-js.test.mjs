// @polkadot/api (the version in package.json, from npm) against a running node of this chain,
// with the definitions in definitions.json: every call, event and storage item decodes, texts
// read as UTF-8, entries read by their 8-byte big-endian key, and every accessLog_* method
// answers. Run by scripts/test.sh (scripts/polkadot-js.sh) with ACCESSLOG_WS set to the node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { u8aToString } from '@polkadot/util';

const ws = process.env.ACCESSLOG_WS;
const definitions = JSON.parse(readFileSync(new URL('./definitions.json', import.meta.url), 'utf8'));
let api;

before(async () => {
	assert.ok(ws, 'set ACCESSLOG_WS to a node with submissions and a council motion');
	api = await ApiPromise.create({
		provider: new WsProvider(ws),
		types: definitions.types,
		rpc: definitions.rpc,
		signedExtensions: definitions.signedExtensions,
		noInitWarn: true,
	});
});
after(async () => { await api?.disconnect(); });

/** The id of an entry as its storage key wants it: 8 bytes, big-endian. */
function entryKey(id) {
	const key = new Uint8Array(8);
	new DataView(key.buffer).setBigUint64(0, BigInt(id), false);
	return key;
}

test('every extrinsic and event of every block decodes', async () => {
	const best = (await api.rpc.chain.getHeader()).number.toNumber();
	const calls = new Set();
	const events = new Set();
	for (let n = 1; n <= best; n++) {
		const hash = await api.rpc.chain.getBlockHash(n);
		const { block } = await api.rpc.chain.getBlock(hash);
		for (const ex of block.extrinsics) {
			// The chain is feeless: a signed extrinsic has no tip, which Extrinsic.toHuman()
			// expects. Its call and signature fields decode one by one.
			assert.ok(ex.method.toHuman(), `block ${n}`);
			if (ex.isSigned) {
				assert.ok(ex.signer.toString().startsWith('5'), `block ${n}: ${ex.signer}`);
				assert.ok(ex.nonce.toNumber() >= 0 && ex.era.toHuman());
			}
			calls.add(`${ex.method.section}.${ex.method.method}`);
		}
		const at = await api.at(hash);
		for (const record of await at.query.system.events()) {
			assert.ok(record.event.toHuman() !== undefined, `block ${n}`);
			events.add(`${record.event.section}.${record.event.method}`);
		}
	}
	for (const c of ['timestamp.set', 'accessLog.submitBatch', 'council.propose']) assert.ok(calls.has(c), `${c} in ${[...calls]}`);
	for (const e of ['accessLog.EntriesStored', 'accessLog.SourceRegistered', 'council.Executed']) assert.ok(events.has(e), `${e} in ${[...events]}`);
});

test('every storage item decodes, and texts read as UTF-8', async () => {
	let items = 0;
	for (const [section, methods] of Object.entries(api.query)) {
		for (const [name, query] of Object.entries(methods)) {
			if (typeof query !== 'function' || !query.creator) continue;
			const values = query.creator.meta.type.isMap ? (await query.entries()).map(([, v]) => v) : [await query()];
			for (const v of values) assert.ok(v.toHuman() !== undefined, `${section}.${name}`);
			items++;
		}
	}
	assert.ok(items > 10, `${items} storage items`);
	const source = (await api.query.accessLog.sources(0)).unwrap();
	assert.equal(u8aToString(source.agency), '高雄市政府資訊中心');
	assert.equal(source.name.toUtf8(), 'kcg-household-api');
});

test('an entry reads by its 8-byte big-endian id, and matches the RPC', async () => {
	const stored = (await api.query.accessLog.entries(entryKey(0))).unwrap();
	const rpc = (await api.rpc.accessLog.entry(0)).unwrap();
	assert.equal(stored.record.agency.toUtf8(), rpc.agency.toString());
	assert.equal(stored.record.seq.toNumber(), rpc.seq.toNumber());
	assert.equal(stored.record.citizenRef.toHex(), rpc.citizenRef.toHex());
	assert.equal(stored.record.recordHash.toHex(), rpc.recordHash.toHex());
});

test('every accessLog_* method answers with the definitions', async () => {
	// `entries` is also a method of every polkadot.js struct (they are Maps): read it with get().
	const stats = await api.rpc.accessLog.stats();
	assert.ok(stats.get('entries').toNumber() >= 100, `${stats.get('entries')}`);
	assert.equal(stats.at.toHex().length, 66);
	const sources = await api.rpc.accessLog.sources();
	assert.equal(sources[0].name.toString(), 'kcg-household-api');
	assert.ok((await api.rpc.accessLog.submitters()).length >= 1);
	const first = (await api.rpc.accessLog.entry(0)).unwrap();
	const page = await api.rpc.accessLog.byTime(0, Date.now() + 86_400_000, null, 10);
	assert.equal(page.items.length, 10);
	assert.ok(page.nextCursor.isSome);
	const next = await api.rpc.accessLog.byTime(0, Date.now() + 86_400_000, page.nextCursor, 10);
	assert.notEqual(next.items[0].id.toNumber(), page.items[0].id.toNumber());
	const byCitizen = await api.rpc.accessLog.byCitizen(first.citizenRef, null, 100);
	assert.ok(byCitizen.items.some((e) => e.id.toNumber() === 0));
	assert.equal(first.agency.toString(), byCitizen.items[0].agency.toString());
	const byAccessor = await api.rpc.accessLog.byAccessor(first.accessorRef.toHex(), null, 100);
	assert.ok(byAccessor.items.some((e) => e.id.toNumber() === 0));
	const bySeq = await api.rpc.accessLog.bySequence(0, first.seq.toNumber(), first.seq.toNumber(), null, null);
	assert.equal(bySeq.items[0].id.toNumber(), 0);
	assert.equal((await api.rpc.accessLog.entry(999999999)).isNone, true);
});
