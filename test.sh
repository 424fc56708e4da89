#!/usr/bin/env bash
# Runs every test of the default suite (unit, property, simulation PR tier, API over real HTTP).
# Usage: ./test.sh            (results as TRX files in TestResults/)
# Longer tiers: CAIRN_SIM_SEEDS=20000 ./test.sh   (see docs/testing.md)
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK 10 is required (dotnet not found on PATH)" >&2
  exit 2
fi

results="${CAIRN_TEST_RESULTS:-TestResults}"
rm -rf "$results"
dotnet restore Cairn.sln --nologo -v quiet
dotnet build Cairn.sln -c Release --no-restore --nologo -v quiet
# The system tests start real cairn processes with election timeouts: they run alone, after the rest,
# so the other projects' parallel runs do not starve them of the 2 cores.
status=0
dotnet test Cairn.sln -c Release --no-build --nologo --filter "FullyQualifiedName!~Cairn.SystemTests" \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || status=$?
dotnet test tests/Cairn.SystemTests -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || status=$?
exit $status
