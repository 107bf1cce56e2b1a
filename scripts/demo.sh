#!/usr/bin/env bash
# `npm run demo`: Node 24 if needed, dependencies if missing, a fresh build, then Node-RED on
# 127.0.0.1:1880 with this package installed the way a user installs it and the sandbox flow deployed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/use-node24.sh
[ -x node_modules/.bin/node-red ] || npm install --no-audit --no-fund
npm run build
exec node scripts/demo-node-red.js "$@"
