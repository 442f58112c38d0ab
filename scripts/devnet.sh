#!/usr/bin/env bash
# Creates (first time) and starts a single-validator development network.
# Usage: scripts/devnet.sh BINARY HOME
set -euo pipefail
bin=$(realpath "$1")
home=$2
chain=ledgerd-devnet

if [ ! -f "$home/config/genesis.json" ]; then
  mkdir -p "$home"
  # A development passphrase, kept next to the keys: never do this with real keys.
  # The file is created private (umask 077), never readable by others even for
  # a moment; ledgerd refuses a passphrase file open to its group or others.
  (umask 077 && rm -f "$home/passphrase" && echo "devnet-passphrase" > "$home/passphrase")
  "$bin" init --home "$home" --chain-id "$chain" --moniker demo-bank --member-name "Demo Bank" \
    --demo --light-kdf --passphrase-file "$home/passphrase"
  echo
fi

bank=$("$bin" keys show demo-bank --home "$home" --output json | sed -n 's/.*"address": "\(0x[0-9a-fA-F]*\)".*/\1/p')
cat <<MSG
ledgerd devnet: chain $chain, home $home
  RPC:      http://127.0.0.1:26657   (health: /health)
  metrics:  http://127.0.0.1:26660/metrics
  demo bank operator: demo-bank $bank

In another terminal:
  export LEDGERD_HOME=$home LEDGERD_PASSPHRASE_FILE=$home/passphrase PATH=\$PWD/build:\$PATH
  ledgerd keys add alice
  ledgerd keys show alice
  ledgerd tx wallet open ALICE_ADDRESS --tier 2 --kyc-hash \$(printf 'alice KYC file' | sha256sum | cut -c1-64) --from demo-bank
  (README.md, "A first payment", has the whole walkthrough)

Starting the node (Ctrl-C stops it; 'make run' again resumes the same chain).
MSG
exec "$bin" start --home "$home"
