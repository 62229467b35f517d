#!/usr/bin/env bash
# Coverage-guided fuzzing of the file readers with AFL++ and SharpFuzz (fuzz/README.md).
#
#   fuzz/afl.sh [--seconds N | --execs N] [--work DIR] [READER...]
#
# Publishes fuzz/Backprop.Fuzz into WORK/bin and instruments Backprop.dll and Backprop.Cli.dll with SharpFuzz (once
# per WORK), then runs afl-fuzz on each READER (all seven by default) from fuzz/corpus/READER for N seconds (60 by
# default) or about N executions. Prints one line per reader; any crash (an exception other than the reader's
# documented error) or hang is replayed, printed with its stack trace, and makes the exit status 1. Findings stay
# in WORK/out/READER (WORK is a new temporary directory unless given).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

limit=(-V 60)
work=""
readers=()
while (($#)); do
  case "$1" in
    --seconds) limit=(-V "$2"); shift 2 ;;
    --execs) limit=(-E "$2"); shift 2 ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "afl.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) readers+=("$1"); shift ;;
  esac
done
((${#readers[@]})) || readers=(idx csv safetensors checkpoint png model gpt)

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "afl.sh: afl-fuzz is missing; install AFL++ (Debian: apt-get install afl++)." >&2
  exit 2
fi

work="${work:-$(mktemp -d -t backprop-afl-XXXXXX)}"
mkdir -p "$work/out"
bin="$work/bin"
if [[ ! -f "$bin/.instrumented" ]]; then
  sharpfuzz="$(command -v sharpfuzz || true)"
  if [[ -z "$sharpfuzz" ]]; then
    dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools" >/dev/null
    sharpfuzz="$work/tools/sharpfuzz"
  fi
  rm -rf "$bin"
  dotnet publish "$root/fuzz/Backprop.Fuzz" -c Release -o "$bin" >"$work/publish.log" 2>&1 || { tail -n 20 "$work/publish.log" >&2; exit 1; }
  "$sharpfuzz" "$bin/Backprop.dll"
  "$sharpfuzz" "$bin/Backprop.Cli.dll"
  touch "$bin/.instrumented"
fi

# The .NET host is not instrumented itself (the assemblies are), no core dumps are wanted, and CI has no terminal.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
status=0
for reader in "${readers[@]}"; do
  if [[ ! -d "$root/fuzz/corpus/$reader" ]]; then
    echo "afl.sh: there is no corpus fuzz/corpus/$reader; the readers are: $(ls "$root/fuzz/corpus" | tr '\n' ' ')" >&2
    exit 2
  fi
  out="$work/out/$reader"
  scratch="$work/scratch/$reader"
  rm -rf "$out" "$scratch"
  mkdir -p "$scratch"
  if ! TMPDIR="$scratch" afl-fuzz "${limit[@]}" -i "$root/fuzz/corpus/$reader" -o "$out" -t 5000 -m none -- "$bin/backprop-fuzz" "$reader" >"$work/$reader.log" 2>&1; then
    echo "afl $reader: afl-fuzz failed:" >&2
    tail -n 20 "$work/$reader.log" >&2
    status=1
    continue
  fi
  stat() { sed -n "s/^$1 *: //p" "$out/default/fuzzer_stats"; }
  crashes="$(stat saved_crashes)"
  hangs="$(stat saved_hangs)"
  echo "afl $reader: $(stat execs_done) inputs in $(stat run_time) s ($(stat execs_per_sec)/s), $(stat corpus_found) new paths, $crashes crashes, $hangs hangs"
  if [[ "$crashes" != 0 || "$hangs" != 0 ]]; then
    status=1
    mapfile -t found < <(find "$out/default/crashes" "$out/default/hangs" -name 'id:*' -type f)
    TMPDIR="$scratch" "$bin/backprop-fuzz" "$reader" "${found[@]}" || true
  fi
done
exit "$status"
