//! `accesslog-load throughput` and `scale` end to end, with small settings, against a real
//! `accesslog-node --dev` over real RPC: what they report must be what the chain holds.

use accesslog_testing::DevNode;
use serde_json::Value;
use std::process::Command;

fn run(args: &[&str]) -> (Option<i32>, String) {
	let out = Command::new(env!("CARGO_BIN_EXE_accesslog-load"))
		.args(args)
		.env("ACCESSLOG_SUBMITTER_KEY", "//Alice")
		.env("ACCESSLOG_BASELINE_KEY", "//Alice")
		.output()
		.expect("run accesslog-load");
	let text =
		format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
	(out.status.code(), text)
}

#[tokio::test(flavor = "multi_thread")]
async fn throughput_counts_what_the_finalized_chain_holds() {
	let node = DevNode::start().await;
	let dir = tempfile::tempdir().unwrap();
	let out = dir.path().join("throughput.json");
	// The same node under a second name: every transaction is also handed to the "other" node
	// (as to each validator of a network), which answers that it has it already; that must
	// neither fail the run nor count anything twice.
	let relay = format!("{}/", node.ws);
	let (code, text) = run(&[
		"throughput",
		"--nodes",
		&format!("{},{relay}", node.ws),
		"--duration",
		"6",
		"--warmup",
		"2",
		"--batch",
		"100",
		"--window",
		"1000",
		"--baseline-window",
		"200",
		"--out",
		out.to_str().unwrap(),
	]);
	// The targets (1,000/s, 10x) are not the point here: exit 0 or 1, and a complete report.
	assert!(matches!(code, Some(0 | 1)), "exit {code:?}:\n{text}");
	assert!(text.contains("ratio batched / naive"), "{text}");
	assert!(text.contains(&format!(" + {relay}")), "the second endpoint relays: {text}");
	let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
	let (batched, naive) = (&v["phases"][0], &v["phases"][1]);
	assert_eq!(batched["name"], "batched");
	assert_eq!(naive["method"], "system.remark_with_event");
	let client = node.client().await;
	let stored = client.query().stats().await.unwrap().entries;
	assert_eq!(batched["submitted"].as_u64().unwrap(), stored, "every batched record is stored");
	let per_second: u64 =
		batched["per_second"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).sum();
	assert_eq!(per_second, stored, "the timeline adds up to what was finalized");
	assert!(batched["sustained_per_s"].as_f64().unwrap() > 0.0);
	assert!(naive["sustained_per_s"].as_f64().unwrap() > 0.0);
	// Alice signed every transaction of both phases: her nonce counts them.
	let alice = subxt_signer::sr25519::dev::alice().public_key().into();
	let nonce = client.next_nonce(&alice).await.unwrap();
	let txs = batched["transactions"].as_u64().unwrap() + naive["transactions"].as_u64().unwrap();
	assert_eq!(nonce, txs);
	assert_eq!(naive["submitted"].as_u64(), naive["transactions"].as_u64(), "one record per tx");
	let ratio = v["ratio"].as_f64().unwrap();
	let expected =
		batched["sustained_per_s"].as_f64().unwrap() / naive["sustained_per_s"].as_f64().unwrap();
	assert!((ratio - expected).abs() < 1e-6);
}

#[tokio::test(flavor = "multi_thread")]
async fn scale_fills_to_each_step_and_times_queries() {
	let node = DevNode::start().await;
	let dir = tempfile::tempdir().unwrap();
	let out = dir.path().join("scale.json");
	let (code, text) = run(&[
		"scale",
		"--nodes",
		&node.ws,
		"--steps",
		"300,800",
		"--queries",
		"10",
		"--batch",
		"100",
		"--out",
		out.to_str().unwrap(),
	]);
	assert!(matches!(code, Some(0 | 1)), "exit {code:?}:\n{text}");
	let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
	let steps = v["steps"].as_array().unwrap();
	assert_eq!(steps.len(), 2);
	assert_eq!(steps[0]["entries"], 300);
	assert_eq!(steps[1]["entries"], 800);
	assert_eq!(node.client().await.query().stats().await.unwrap().entries, 800);
	for step in steps {
		let queries = step["queries"].as_array().unwrap();
		let ops: Vec<&str> = queries.iter().map(|q| q["op"].as_str().unwrap()).collect();
		assert_eq!(ops, ["query.citizen", "query.official", "query.time"]);
		for q in queries {
			assert_eq!((q["count"].as_u64(), q["errors"].as_u64()), (Some(10), Some(0)), "{q}");
		}
		// Every queried citizen and official was stored: their pages are not empty.
		assert!(step["returned"][0].as_f64().unwrap() >= 1.0, "{step}");
		assert!(step["returned"][1].as_f64().unwrap() >= 1.0, "{step}");
		assert!(step["db_bytes"].is_null(), "no --db-path, no size");
	}
}

#[test]
fn bad_arguments_are_refused_with_a_reason() {
	let (code, text) = run(&["scale", "--steps", "100,50"]);
	assert_eq!(code, Some(1));
	assert!(text.contains("--steps must be one or more ascending entry counts"), "{text}");
	let (code, text) = run(&["throughput", "--duration", "5", "--warmup", "5"]);
	assert_eq!(code, Some(2));
	assert!(text.contains("--warmup (5 s) must be shorter than --duration (5 s)"), "{text}");
	let out = Command::new(env!("CARGO_BIN_EXE_accesslog-load"))
		.args(["throughput", "--nodes", "ws://127.0.0.1:1"])
		.env_remove("ACCESSLOG_SUBMITTER_KEY")
		.output()
		.unwrap();
	let text = String::from_utf8_lossy(&out.stderr);
	assert!(text.contains("environment variable ACCESSLOG_SUBMITTER_KEY is not set"), "{text}");
}
