// The evidence verifier compiled to WebAssembly, run as a browser runs it: a module with no
// imports, bundles in and answers out through its three exports. Run by scripts/test.sh:
//   node --test evidence/tests/wasm.test.mjs   (EVIDENCE_WASM = path of accesslog_evidence.wasm)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const wasmPath = process.env.EVIDENCE_WASM;
const fixtures = new URL('./fixtures/', import.meta.url);
const bundleText = readFileSync(new URL('bundle.json', fixtures), 'utf8');
const validatorsText = readFileSync(new URL('validators.json', fixtures), 'utf8');

const module = new WebAssembly.Module(readFileSync(wasmPath));
const { exports } = new WebAssembly.Instance(module, {});

function verify(bundle, validators) {
	const enc = new TextEncoder();
	const put = (text) => {
		const bytes = enc.encode(text);
		const ptr = exports.evidence_alloc(bytes.length);
		new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
		return [ptr, bytes.length];
	};
	const [bp, bl] = put(bundle);
	const [vp, vl] = put(validators);
	const packed = exports.evidence_verify(bp, bl, vp, vl);
	const ptr = Number(packed >> 32n);
	const len = Number(packed & 0xffffffffn);
	const answer = new TextDecoder().decode(new Uint8Array(exports.memory.buffer, ptr, len));
	exports.evidence_free(ptr, len);
	exports.evidence_free(bp, bl);
	exports.evidence_free(vp, vl);
	return JSON.parse(answer);
}

test('the module imports nothing, so a browser needs no host functions', () => {
	assert.deepEqual(WebAssembly.Module.imports(module), []);
	const names = WebAssembly.Module.exports(module).map((e) => e.name);
	for (const name of ['memory', 'evidence_alloc', 'evidence_free', 'evidence_verify']) {
		assert.ok(names.includes(name), `exports ${name}: ${names}`);
	}
});

test('a real bundle verifies against the pinned validator set', () => {
	const answer = verify(bundleText, validatorsText);
	const bundle = JSON.parse(bundleText);
	assert.equal(answer.verified, true, JSON.stringify(answer));
	assert.deepEqual(answer.entries.map((e) => e.id), bundle.entries.map((e) => e.id));
	assert.equal(answer.block_number, bundle.block.number);
	assert.equal(answer.block_hash, bundle.block.hash);
	assert.ok(answer.signers >= 1);
});

function flipLastByte(hex) {
	const last = parseInt(hex.slice(-2), 16) ^ 0x01;
	return hex.slice(0, -2) + last.toString(16).padStart(2, '0');
}

test('every tampered part is refused, naming the part, as accesslog verify does', () => {
	const cases = [
		['header', 11, (b) => { b.block.header = flipLastByte(b.block.header); }],
		['justification', 10, (b) => { b.finality.justification = flipLastByte(b.finality.justification); }],
		['proof', 13, (b) => { b.proof[0] = flipLastByte(b.proof[0]); }],
		['entry', 14, (b) => { b.entries[0].value = flipLastByte(b.entries[0].value); }],
		['entry', 14, (b) => { b.entries[0].entry.agency = '某機關'; }],
		['bundle', 3, (b) => { b.format = 'something-else/9'; }],
	];
	for (const [part, code, edit] of cases) {
		const b = JSON.parse(bundleText);
		edit(b);
		const answer = verify(JSON.stringify(b), validatorsText);
		assert.equal(answer.verified, false, `${part}: ${JSON.stringify(answer)}`);
		assert.equal(answer.part, part, answer.error);
		assert.equal(answer.exit_code, code, answer.error);
	}
});

test('a validator set the bundle was not signed by is refused', () => {
	const strangers = JSON.stringify({ set_id: 0, authorities: [{ id: '0x' + '09'.repeat(32), weight: 1 }] });
	const answer = verify(bundleText, strangers);
	assert.equal(answer.part, 'justification');
	assert.match(answer.error, /not in the validator set/);
	const garbage = verify('not json', validatorsText);
	assert.equal(garbage.part, 'bundle');
	const noSet = verify(bundleText, '{"set_id": 0, "authorities": []}');
	assert.equal(noSet.part, 'validator-set');
});
