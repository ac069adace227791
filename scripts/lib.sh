# Shared settings of the scripts: sourced, not run.
# One persistent build directory outside the checkout, shared by every clone on this machine
# (so CI in a fresh clone reuses the last build).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/accesslog-target}"
export PATH="$HOME/.cargo/bin:$PATH"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_BIN="${ACCESSLOG_NODE:-$CARGO_TARGET_DIR/release/accesslog-node}"
# The runtime wasm build looks for Cargo.lock from its output dir upward; the target dir is outside
# the checkout, so point it at the workspace (keeps the wasm build on the locked versions).
export WASM_BUILD_WORKSPACE_HINT="$REPO_ROOT"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
