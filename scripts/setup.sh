#!/usr/bin/env bash
# Installs what building and testing the chain needs, if missing (idempotent): protoc, clang,
# mold, node, Chromium with its WebDriver, CJK fonts, promtool, and the Rust toolchain of
# rust-toolchain.toml with the wasm targets and rust-src.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v clang >/dev/null || missing+=(clang libclang-dev)
command -v mold >/dev/null || missing+=(mold)
command -v make >/dev/null || missing+=(make)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
command -v node >/dev/null || missing+=(nodejs)
# The audit console's browser tests: Debian's Chromium and its WebDriver, and CJK fonts so the
# zh-TW pages render (and screenshot) as users see them.
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ((${#missing[@]})); then
	log "installing ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# promtool checks and unit-tests the alert rules (scripts/monitoring.sh): only the package's
# tools are used (without its recommends: no exporters), no Prometheus server is started.
if ! command -v promtool >/dev/null; then
	log "installing prometheus (for promtool)"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

if ! command -v rustup >/dev/null; then
	log "installing rustup"
	curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --default-toolchain none
fi
cd "$REPO_ROOT"
# Installs (or confirms) the toolchain pinned in rust-toolchain.toml with its components and
# targets; a no-op when everything is there.
rustup toolchain install >/dev/null
rustup component add rust-src >/dev/null 2>&1
rustup target add wasm32v1-none wasm32-unknown-unknown >/dev/null 2>&1
log "toolchain: $(rustc --version)"
