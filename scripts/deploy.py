#!/usr/bin/env python3
"""Generate a real access-log network from a small TOML config.

    scripts/deploy.sh CONFIG.toml OUT_DIR

Reads the config (see deploy/network.example.toml), then writes into OUT_DIR:

  chain-spec.json            the raw chain spec every node starts from (public: no secrets)
  chain-spec-plain.json      the same, readable (review it before the network starts)
  nodes/<name>/              one folder per validator host, copied to that host as is:
      node-key               libp2p secret key (0600)
      data/chains/*/keystore Aura and GRANDPA secret keys (0700 folder, 0600 files)
      peer-id                its libp2p peer id (public)
      start.sh               the exact start command
      accesslog-node.service a systemd unit running start.sh
  keys/<name>.json           sr25519 key files (0600) of generated validator accounts, council
                             members and submitters, in the `accesslog` CLI's format
  network.json               public summary: validators, peer ids, accounts, endpoints

Keys that the config gives (public keys or SS58 accounts) are used as they are and nothing secret
is generated for them. For test networks only, a validator's `seed` (e.g. "//Alice") gives its
Aura and GRANDPA keys (put in its keystore) and its account. Existing output is never overwritten: the script refuses a non-empty
OUT_DIR.

The chain spec starts from the runtime's `local_testnet` preset (`export-chain-spec`) and replaces
its validators, council and sources with the config's.
"""

import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


def die(msg):
    print(f"deploy: {msg}", file=sys.stderr)
    sys.exit(2)


def run(*args, capture=True):
    r = subprocess.run(args, capture_output=capture, text=True)
    if r.returncode != 0:
        die(f"{' '.join(map(str, args[:4]))} … failed: {r.stderr.strip()}")
    return r.stdout


class Tools:
    def __init__(self, node, cli):
        self.node, self.cli = node, cli

    def phrase(self):
        return json.loads(run(self.node, "key", "generate", "--output-type", "json"))["secretPhrase"]

    def inspect(self, scheme, suri):
        out = json.loads(run(self.node, "key", "inspect", "--scheme", scheme, "--output-type", "json", suri))
        return out["ss58Address"], out["publicKey"]

    def public(self, scheme, value, what):
        """An SS58 address or 0x-hex public key given in the config, as (ss58, hex)."""
        try:
            return self.inspect_address(scheme, value)
        except SystemExit:
            die(f"{what}: {value!r} is neither an SS58 address nor 0x and 64 hex digits")

    def inspect_address(self, scheme, address):
        # A 0x-hex public key needs --public (without it, hex is read as a secret seed); an SS58
        # address is recognised as such without it.
        public = ["--public"] if address.startswith("0x") else []
        if not address.startswith("0x") and ("/" in address or " " in address):
            die(f"{address!r} looks like a secret, not a public key or address")
        out = json.loads(run(self.node, "key", "inspect", "--scheme", scheme, *public, "--output-type", "json", address))
        return out["ss58Address"], out["publicKey"]

    def key_file(self, path):
        """A new sr25519 key file in the CLI's format; returns its account."""
        run(self.cli, "keys", "generate", "--out", str(path))
        return json.loads(path.read_text())["account"]


def check_config(cfg):
    validators = cfg.get("validators") or die("the config names no [[validators]]")
    if len(validators) < 3:
        print(f"deploy: warning: {len(validators)} validator(s); GRANDPA tolerates no loss below 4 "
              "and the requirement is at least 3", file=sys.stderr)
    admins = cfg.get("admins") or die("the config names no [[admins]] (council members)")
    names = set()
    for kind, items in (("validators", validators), ("admins", admins), ("sources", cfg.get("sources", []))):
        for i, item in enumerate(items):
            name = item.get("name") or die(f"{kind}[{i}] has no name")
            if not NAME.match(name):
                die(f"{kind}[{i}]: name {name!r} must be lower-case letters, digits and '-' (≤ 32)")
            if kind != "sources":
                if name in names:
                    die(f"{kind}[{i}]: name {name!r} is used twice")
                names.add(name)
    for i, v in enumerate(validators):
        v.get("host") or die(f"validators[{i}] ({v['name']}) has no host")
        if ("aura" in v) != ("grandpa" in v):
            die(f"validators[{i}] ({v['name']}): give both aura and grandpa public keys, or neither")
        if "seed" in v and "aura" in v:
            die(f"validators[{i}] ({v['name']}): give a seed or public keys, not both")
    for i, s in enumerate(cfg.get("sources", [])):
        s.get("agency") or die(f"sources[{i}] ({s['name']}) has no agency")


def main():
    if len(sys.argv) != 5:
        die("usage: deploy.py CONFIG.toml OUT_DIR NODE_BIN CLI_BIN")
    config, out, node, cli = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    try:
        cfg = tomllib.loads(config.read_text())
    except FileNotFoundError:
        die(f"{config}: no such file")
    except tomllib.TOMLDecodeError as e:
        die(f"{config}: not valid TOML: {e}")
    check_config(cfg)
    if out.exists() and any(out.iterdir()):
        die(f"{out} is not empty: the script never overwrites keys (choose a new folder)")
    out.mkdir(parents=True, exist_ok=True)
    (out / "keys").mkdir(mode=0o700)
    tools = Tools(node, cli)
    chain = cfg.get("chain", {})
    p2p_port = int(chain.get("p2p_port", 30333))
    rpc_port = int(chain.get("rpc_port", 9944))

    # Accounts: given (SS58) or generated into key files.
    def account(item, what):
        if "account" in item:
            return tools.public("sr25519", item["account"], what)[0]
        path = out / "keys" / f"{item['name']}.json"
        acct = tools.key_file(path)
        print(f"  generated {what} key {path} ({acct})")
        return acct

    validators = []
    for v in cfg["validators"]:
        name = v["name"]
        print(f"validator {name} ({v['host']})")
        phrase = v.get("seed")
        if phrase and "account" not in v:
            acct = tools.inspect("sr25519", phrase)[0]
        else:
            acct = account(v, f"validator {name} account")
        if phrase:
            aura, gran = tools.inspect("sr25519", phrase), tools.inspect("ed25519", phrase)
        elif "aura" in v:
            aura = tools.public("sr25519", v["aura"], f"validator {name} aura")
            gran = tools.public("ed25519", v["grandpa"], f"validator {name} grandpa")
        else:
            phrase = tools.phrase()
            aura, gran = tools.inspect("sr25519", phrase), tools.inspect("ed25519", phrase)
        validators.append(dict(name=name, host=v["host"], account=acct, aura=aura, grandpa=gran, phrase=phrase))

    admins = [account(a, f"council member {a['name']}") for a in cfg["admins"]]
    sources = []
    for s in cfg.get("sources", []):
        subs = []
        for sub in s.get("submitters", []):
            item = {"name": sub} if NAME.match(sub) else {"name": "x", "account": sub}
            subs.append(account(item, f"submitter {sub} of {s['name']}"))
        sources.append((s["name"], s["agency"], subs))

    # Chain spec: the local_testnet preset with our genesis.
    plain = out / "chain-spec-plain.json"
    plain.write_text(run(node, "export-chain-spec", "--chain", "local"))
    spec = json.loads(plain.read_text())
    patch = spec["genesis"]["runtimeGenesis"]["patch"]
    patch["validatorSet"] = {"validators": [[v["account"], v["aura"][0], v["grandpa"][0]] for v in validators]}
    patch["councilMembership"] = {"members": admins}
    patch["accessLog"] = {
        "sources": [[list(n.encode()), list(a.encode())] for n, a, _ in sources],
        "submitters": [[acct, i] for i, (_, _, subs) in enumerate(sources) for acct in subs],
    }
    spec["name"] = chain.get("name", "Access-log network")
    spec["id"] = chain.get("id", "accesslog_network")
    spec["chainType"] = "Live"
    spec["bootNodes"] = []
    plain.write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n")
    raw = out / "chain-spec.json"
    raw.write_text(run(node, "export-chain-spec", "--chain", str(plain), "--raw"))
    print(f"chain spec {raw} (id {spec['id']})")

    # Per-node folders: node key, keystore, start command, systemd unit.
    for v in validators:
        d = out / "nodes" / v["name"]
        (d / "data").mkdir(parents=True)
        os.chmod(d, 0o700)
        run(node, "key", "generate-node-key", "--file", str(d / "node-key"))
        os.chmod(d / "node-key", 0o600)
        v["peer_id"] = run(node, "key", "inspect-node-key", "--file", str(d / "node-key")).strip()
        (d / "peer-id").write_text(v["peer_id"] + "\n")
        if v["phrase"]:
            for scheme, key_type in (("sr25519", "aura"), ("ed25519", "gran")):
                run(node, "key", "insert", "--base-path", str(d / "data"), "--chain", str(raw),
                    "--scheme", scheme, "--suri", v["phrase"], "--key-type", key_type)
            os.chmod(d / "data", 0o700)
            for root, dirs, files in os.walk(d / "data"):
                for x in dirs:
                    os.chmod(Path(root) / x, 0o700)
                for x in files:
                    os.chmod(Path(root) / x, 0o600)
        del v["phrase"]
    for v in validators:
        d = out / "nodes" / v["name"]
        peers = [f"/ip4/{w['host']}/tcp/{p2p_port}/p2p/{w['peer_id']}" for w in validators if w is not v]
        home = chain.get("install_dir", "/var/lib/accesslog")
        lines = [
            "#!/bin/sh",
            f"# Validator {v['name']} of {spec['name']}: run on {v['host']} from {home}.",
            "# Safe RPC on the network interface, unsafe RPC on localhost only; reserved-only peering.",
            f'cd "$(dirname "$0")"',
            "exec ${ACCESSLOG_NODE:-accesslog-node} \\",
            "  --chain ./chain-spec.json --base-path ./data \\",
            f"  --name {v['name']} --validator \\",
            "  --node-key-file ./node-key \\",
            f"  --listen-addr /ip4/0.0.0.0/tcp/{p2p_port} --reserved-only \\",
            *[f"  --reserved-nodes {p} \\" for p in peers],
            "  --no-mdns --no-telemetry \\",
            f'  --experimental-rpc-endpoint "listen-addr=0.0.0.0:{rpc_port},methods=safe" \\',
            f'  --experimental-rpc-endpoint "listen-addr=127.0.0.1:{rpc_port + 1},methods=unsafe" \\',
            "  --prometheus-external --prometheus-port 9615 \\",
            '  "$@"',
        ]
        (d / "start.sh").write_text("\n".join(lines) + "\n")
        os.chmod(d / "start.sh", 0o755)
        (d / "chain-spec.json").write_text(raw.read_text())
        (d / "accesslog-node.service").write_text(f"""[Unit]
Description=Access-log chain validator {v['name']}
After=network-online.target
Wants=network-online.target

[Service]
User=accesslog
Group=accesslog
WorkingDirectory={home}
ExecStart={home}/start.sh
Restart=always
RestartSec=5
# SIGTERM lets the node close its database cleanly.
KillSignal=SIGTERM
TimeoutStopSec=60
LimitNOFILE=65536
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
ReadWritePaths={home}

[Install]
WantedBy=multi-user.target
""")
        print(f"  node {v['name']}: {d} (peer {v['peer_id']})")

    summary = {
        "name": spec["name"], "id": spec["id"],
        "validators": [{k: v[k] for k in ("name", "host", "account", "peer_id")} |
                       {"aura": v["aura"][0], "grandpa": v["grandpa"][0],
                        "rpc": f"ws://{v['host']}:{rpc_port}"} for v in validators],
        "council": admins,
        "sources": [{"id": i, "name": n, "agency": a, "submitters": s} for i, (n, a, s) in enumerate(sources)],
    }
    (out / "network.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    for path in (out / "keys").iterdir():
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == 0o600, f"{path} has mode {mode:o}"
    print(f"wrote {out}/network.json; copy nodes/<name>/ to each host (docs/deploy.md)")


if __name__ == "__main__":
    main()
