// The audit console's one script (pages work without it; it adds live updates and in-browser
// verification). No inline scripts: the content security policy allows only this file.
'use strict';

const zh = document.documentElement.lang.startsWith('zh');
const t = (zhText, enText) => (zh ? zhText : enText);

// Live sections: a section marked data-live="…" is fetched again (data-fragment) when the
// console's event stream says its part of the chain changed.
(function live() {
	const sections = Array.from(document.querySelectorAll('[data-live]'));
	if (!sections.length || !window.EventSource) return;
	const wants = { network: ['network'], blocks: ['block', 'finalized'], entries: ['entries'] };
	const timers = new Map();
	const refresh = (section) => {
		if (timers.has(section)) return;
		timers.set(section, setTimeout(async () => {
			timers.delete(section);
			try {
				const r = await fetch(section.dataset.fragment, { credentials: 'same-origin' });
				if (r.ok) section.innerHTML = await r.text();
			} catch (_) { /* the next event tries again */ }
		}, 30));
	};
	const events = new EventSource('/events');
	const on = (name) => sections.forEach((s) => {
		if ((wants[s.dataset.live] || []).includes(name)) refresh(s);
	});
	events.addEventListener('network', () => on('network'));
	events.addEventListener('finalized', () => on('finalized'));
	events.addEventListener('block', (e) => {
		on('block');
		try { if (JSON.parse(e.data).entries !== 0) on('entries'); } catch (_) { on('entries'); }
	});
})();

// Charts of a search's result set, counted by the node after the page shows: a placeholder
// marked data-charts="URL" is replaced by the fragment at URL (without scripts it is a link).
(function charts() {
	const box = document.querySelector('[data-charts]');
	if (!box) return;
	box.setAttribute('aria-busy', 'true');
	fetch(box.dataset.charts, { credentials: 'same-origin' })
		.then((r) => r.text().then((html) => { box.outerHTML = html; }))
		.catch(() => box.removeAttribute('aria-busy'));
})();

// In-browser verification of an entry's evidence bundle against the validator set the auditor
// pinned (kept in this browser's storage), with the evidence crate compiled to WebAssembly.
(function verify() {
	const box = document.getElementById('verify');
	if (!box) return;
	const input = document.getElementById('validators');
	const button = document.getElementById('run-verify');
	const pinned = document.getElementById('pinned');
	const result = document.getElementById('verify-result');
	const KEY = 'accesslog.pinnedValidators';

	const describe = (text) => {
		const set = JSON.parse(text);
		if (!Array.isArray(set.authorities) || typeof set.set_id !== 'number') {
			throw new Error(t('不是驗證者集合檔(需要 set_id 與 authorities)', 'not a validator set file (set_id and authorities expected)'));
		}
		return t(`已固定驗證者集合:set_id ${set.set_id},${set.authorities.length} 位驗證者`,
			`Pinned validator set: set_id ${set.set_id}, ${set.authorities.length} validators`);
	};
	const show = () => {
		const text = localStorage.getItem(KEY);
		if (!text) { pinned.textContent = t('尚未固定驗證者集合。', 'No validator set pinned yet.'); button.disabled = true; return; }
		try { pinned.textContent = describe(text); button.disabled = false; }
		catch (e) { pinned.textContent = e.message; button.disabled = true; }
	};
	input.addEventListener('change', async () => {
		const file = input.files[0];
		if (!file) return;
		const text = await file.text();
		try { describe(text); localStorage.setItem(KEY, text); }
		catch (e) { pinned.textContent = `${file.name}: ${e.message}`; return; }
		show();
	});

	const bundleFile = document.getElementById('bundle-file');
	const bundleName = document.getElementById('bundle-name');
	bundleFile.addEventListener('change', async () => {
		const file = bundleFile.files[0];
		if (!file) return;
		box.dataset.bundleText = await file.text();
		bundleName.textContent = t(`將驗證檔案 ${file.name}`, `Will verify the file ${file.name}`);
	});

	let module;
	const load = async () => {
		if (!module) {
			const r = await fetch('/assets/evidence.wasm');
			if (!r.ok) throw new Error(t('此版本沒有內建驗證程式', 'this build has no verifier'));
			module = await WebAssembly.compile(await r.arrayBuffer());
		}
		return (await WebAssembly.instantiate(module, {})).exports;
	};
	const run = (x, bundle, validators) => {
		const enc = new TextEncoder();
		const put = (text) => {
			const bytes = enc.encode(text);
			const ptr = x.evidence_alloc(bytes.length);
			new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
			return [ptr, bytes.length];
		};
		const [bp, bl] = put(bundle);
		const [vp, vl] = put(validators);
		const packed = x.evidence_verify(bp, bl, vp, vl);
		const ptr = Number(packed >> 32n);
		const len = Number(packed & 0xffffffffn);
		const answer = new TextDecoder().decode(new Uint8Array(x.memory.buffer, ptr, len));
		x.evidence_free(ptr, len); x.evidence_free(bp, bl); x.evidence_free(vp, vl);
		return JSON.parse(answer);
	};
	// The bundle to check: the one downloaded from this console, or one the auditor gives
	// (data-bundle-text, set by tests and by the file picker below).
	button.addEventListener('click', async () => {
		result.textContent = t('驗證中…', 'Verifying…');
		try {
			let bundle = box.dataset.bundleText;
			if (!bundle && !box.dataset.bundle) throw new Error(t('請選擇證據包檔案', 'choose a bundle file'));
			if (!bundle) {
				const r = await fetch(box.dataset.bundle, { credentials: 'same-origin' });
				bundle = await r.text();
				if (!r.ok) throw new Error(bundle);
			}
			const answer = run(await load(), bundle, localStorage.getItem(KEY));
			result.replaceChildren();
			const head = document.createElement('p');
			if (answer.verified) {
				head.className = 'verified';
				head.textContent = t(`✓ 驗證成功:區塊 #${answer.block_number},${answer.signers} 位驗證者簽署,紀錄 ${answer.entries.map((e) => e.id).join(', ')}`,
					`✓ Verified: block #${answer.block_number}, signed by ${answer.signers} validators, entries ${answer.entries.map((e) => e.id).join(', ')}`);
			} else {
				head.className = 'refused';
				head.textContent = t(`✗ 驗證失敗(${answer.part},代碼 ${answer.exit_code}):${answer.error}`,
					`✗ Not verified (${answer.part}, exit code ${answer.exit_code}): ${answer.error}`);
			}
			head.dataset.verified = String(answer.verified);
			head.dataset.part = answer.part || '';
			result.append(head);
		} catch (e) {
			result.textContent = `${t('無法驗證:', 'Cannot verify: ')}${e.message}`;
		}
	});
	show();
})();

// A section marked data-refresh="N" (a long job's progress) reloads its page every N seconds
// until the job is done and the page comes back without it.
(function refresh() {
	const s = document.querySelector('[data-refresh]');
	if (!s) return;
	setTimeout(() => window.location.reload(), 1000 * Number(s.dataset.refresh || 2));
})();
