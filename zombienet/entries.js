// Zombienet js-script: as Dave (the local chain's submitter) store three access-log entries
// through this node and wait until they are finalized, then return the number of entries the
// node's `accessLog_stats` RPC reports. With the argument "query", only the count is returned.
async function run(nodeName, networkInfo, args) {
	const { wsUri, userDefinedTypes } = networkInfo.nodesByName[nodeName];
	const api = await zombie.connect(wsUri, userDefinedTypes);
	if (args[0] !== "query") {
		await zombie.util.cryptoWaitReady();
		const keyring = new zombie.Keyring({ type: "sr25519" });
		const dave = keyring.addFromUri("//Dave");
		const now = Date.now();
		const records = [1, 2, 3].map((seq) => ({
			source: 0,
			seq,
			occurredAt: now - 1000,
			agency: "高雄市政府社會局",
			system: "zombienet",
			accessorRef: "0x" + "07".repeat(32),
			citizenRef: "0x" + String(seq).padStart(2, "0").repeat(32),
			keyId: 1,
			action: "GET /household/v1/persons/{id}",
			purpose: "019",
			status: 200,
			records: 1,
			recordHash: "0x" + String(seq).padStart(2, "0").repeat(32),
		}));
		await new Promise((resolve, reject) => {
			api.tx.accessLog
				.submitBatch(records)
				.signAndSend(dave, ({ status, dispatchError }) => {
					if (dispatchError) reject(new Error(dispatchError.toString()));
					if (status.isFinalized) resolve();
				})
				.catch(reject);
		});
	}
	// A custom RPC: polkadot.js has no decoration for it, so ask the provider directly.
	const stats = await api._rpcCore.provider.send("accessLog_stats", []);
	return stats.entries;
}

module.exports = { run };
