#!/usr/bin/env bash
# Runs every test of the default suite (unit, property, simulation PR tier, API over real HTTP, system, browser).
# Usage: ./test.sh            (results as TRX files in TestResults/)
# Longer tiers: CAIRN_SIM_SEEDS=20000 ./test.sh, CAIRN_FAULTS_TIER=extended ./test.sh   (see docs/testing.md)
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK 10 is required (dotnet not found on PATH)" >&2
  exit 2
fi

# The fault suite's clock-skew scenario (S7) needs libfaketime; it is skipped, with the reason, when it is missing.
if ! ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test.sh: installing faketime for the clock-skew fault scenario" >&2
  (apt-get install -y -qq faketime >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq faketime >/dev/null 2>&1; }) \
    || echo "test.sh: faketime could not be installed; the clock-skew scenario will be skipped" >&2
fi

results="${CAIRN_TEST_RESULTS:-TestResults}"
rm -rf "$results"
# The browser tests (tests/Cairn.UiTests) drive Debian's chromium. Install it when missing and we can (root + apt);
# when it cannot be installed those tests are reported as skipped, with the reason, never passed.
if [ ! -x "${CAIRN_CHROMIUM:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing chromium for the browser tests (apt-get)" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
      || echo "test.sh: chromium could not be installed; the browser tests will be skipped" >&2
  else
    echo "test.sh: chromium is not installed (needs root and apt-get); the browser tests will be skipped" >&2
  fi
fi
dotnet restore Cairn.sln --nologo -v quiet
dotnet build Cairn.sln -c Release --no-restore --nologo -v quiet
# The system, fault and browser tests start real cairn processes with election timeouts: each project runs alone,
# after the rest, so the other projects' parallel runs do not starve them of the 2 cores.
status=0
dotnet test Cairn.sln -c Release --no-build --nologo \
  --filter "FullyQualifiedName!~Cairn.SystemTests&FullyQualifiedName!~Cairn.UiTests&FullyQualifiedName!~Cairn.FaultTests" \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || status=$?
dotnet test tests/Cairn.SystemTests -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || status=$?
dotnet test tests/Cairn.FaultTests -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || status=$?
# Screenshots of every view land in $results/screenshots.
CAIRN_TEST_RESULTS="$results" dotnet test tests/Cairn.UiTests -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" || status=$?
exit $status
