#!/usr/bin/env bash
# Performance comparison for issue 5: lexguard against a parse-only floor and
# against cfn-guard, cfn-lint and Checkov, on one generated corpus, in one run.
#
#   bench/compare.sh                 # everything; writes docs/performance.md
#   RUNS=3 NO_PEERS=1 bench/compare.sh   # quicker, lexguard and the floor only
#
# Environment:
#   RUNS          runs per measurement (median reported), default 5
#   COUNT, SEED   corpus size and generator seed, default 2000 and 42
#   BIG_COUNT     templates in the memory-scaling corpus, default 10000
#   BENCH_CACHE   where peers and corpora are kept (outside the repository),
#                 default ${XDG_CACHE_HOME:-$HOME/.cache}/lexguard-bench
#   NO_PEERS=1    skip cfn-guard, cfn-lint and Checkov
#   DOC           the report to update, default docs/performance.md
#
# Nothing here runs under `cargo test`; CI times nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUNS=${RUNS:-5}
COUNT=${COUNT:-2000}
SEED=${SEED:-42}
BIG_COUNT=${BIG_COUNT:-10000}
SUBSET_COUNT=100
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lexguard-bench}
NO_PEERS=${NO_PEERS:-}
DOC=${DOC:-$ROOT/docs/performance.md}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
CFN_GUARD_VERSION=3.2.1
CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30
FIVE=LEX002,LEX003,LEX005,LEX008,LEX020
PY_RUNS=$((RUNS < 3 ? RUNS : 3))

mkdir -p "$CACHE"
log() { printf '== %s\n' "$*" >&2; }

# --- build and peers ---------------------------------------------------------
log "building lexguard and the bench examples (release)"
cargo build --release --quiet --bin lexguard --example gen-corpus --example parse-floor
LEXGUARD=$TARGET/release/lexguard
GEN=$TARGET/release/examples/gen-corpus
FLOOR=$TARGET/release/examples/parse-floor

if [[ -z $NO_PEERS ]]; then
    if ! "$CACHE/bin/cfn-guard" --version 2>/dev/null | grep -q "$CFN_GUARD_VERSION"; then
        log "installing cfn-guard $CFN_GUARD_VERSION into $CACHE"
        CARGO_TARGET_DIR=$CACHE/cfn-guard-target cargo install --quiet --locked \
            cfn-guard --version "$CFN_GUARD_VERSION" --root "$CACHE"
    fi
    if [[ ! -x $CACHE/venv/bin/checkov || ! -x $CACHE/venv/bin/cfn-lint ]]; then
        log "installing cfn-lint $CFN_LINT_VERSION and checkov $CHECKOV_VERSION into $CACHE/venv"
        python3 -m venv "$CACHE/venv"
        "$CACHE/venv/bin/pip" install --quiet "cfn-lint==$CFN_LINT_VERSION" "checkov==$CHECKOV_VERSION"
    fi
fi
if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time"
    apt-get install -y -qq time >/dev/null
fi

# --- corpora -------------------------------------------------------------------
corpus() { # count -> folder (generated once; the generator is deterministic)
    local dir=$CACHE/corpus-s$SEED-n$1
    if [[ ! -f $dir/.complete ]]; then
        log "generating $1 templates into $dir"
        rm -rf "$dir"
        "$GEN" --seed "$SEED" --count "$1" --out "$dir" >&2
        touch "$dir/.complete"
    fi
    echo "$dir"
}
CORPUS=$(corpus "$COUNT")
# The first 100 CloudFormation files: the one format that cfn-lint, Checkov,
# cfn-guard and lexguard all check.
SUBSET=$CACHE/subset-s$SEED-n$SUBSET_COUNT
if [[ ! -f $SUBSET/.complete ]]; then
    rm -rf "$SUBSET" && mkdir -p "$SUBSET"
    find "$CORPUS" -maxdepth 1 -name 'cfn-*' | sort | awk -v n="$SUBSET_COUNT" 'NR <= n' | xargs cp -t "$SUBSET"
    touch "$SUBSET/.complete"
fi
# One CloudFormation YAML template of about 20 KB: the pre-commit case.
ONE=$(find "$CORPUS" -maxdepth 1 -name 'cfn-*.yaml' -size +18k -size -22k | sort | awk 'NR == 1')
CORPUS_FILES=$(find "$CORPUS" -type f ! -name .complete | wc -l)
CORPUS_BYTES=$(find "$CORPUS" -type f ! -name .complete -printf '%s\n' | awk '{s+=$1} END {print s}')
CFN_FILES=$(find "$CORPUS" -type f -name 'cfn-*' | wc -l)

log "sanity: lexguard parses the whole corpus without errors"
"$LEXGUARD" check "$CORPUS" --format json -o "$CACHE/check.json" || true
python3 - "$CACHE/check.json" <<'EOF' >&2
import json, sys, collections
r = json.load(open(sys.argv[1]))
errors = r.get("errors", [])
findings = r.get("findings", [])
fails = [f for f in findings if f.get("status") == "fail"]
by = collections.Counter(f.get("policy_id") for f in fails)
files = {f["file"] for f in fails if f.get("policy_id") in {"LEX002", "LEX003", "LEX005", "LEX008", "LEX020"}}
print(f"errors={len(errors)} findings={len(findings)} failed={len(fails)} files failing the five={len(files)}")
print(f"failed per policy: {sorted(by.items())}")
if errors:
    print(errors[:3]); sys.exit(1)
EOF

# --- measurement ---------------------------------------------------------------
# Wall time, peak RSS and CPU time (user + system) of the whole process (os.wait4
# gives the child's rusage). CPU time barely moves when other work shares the
# machine; wall time does, so the report gives both.
declare -A MS RSS SPREAD CPU
# group RUNS KEY OK CMD... ::: KEY OK CMD... ::: ...
# Measures several commands round-robin (one run of each per round), so drift in
# the machine's load hits every command of a comparison alike.
group() {
    local runs=$1
    shift
    log "measuring $(printf '%s\n' "$@" | awk 'prev == ":::" || NR == 1 {printf "%s ", $0} {prev = $0}')"
    local out key ms rss lo hi cpu
    out=$(python3 - "$runs" "$@" <<'EOF'
import os, subprocess, sys, time, statistics
runs, args = int(sys.argv[1]), sys.argv[2:]
specs, current = [], []
for a in args + [":::"]:
    if a == ":::":
        if current:
            specs.append((current[0], {int(c) for c in current[1].split(",")}, current[2:]))
        current = []
    else:
        current.append(a)
results = {key: ([], [], []) for key, _, _ in specs}
for _ in range(runs):
    for key, ok, cmd in specs:
        walls, rss, cpu = results[key]
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        walls.append((time.perf_counter() - t) * 1000)
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            sys.exit(f"{cmd[0]} exited {code} (expected {sorted(ok)}): {' '.join(cmd)}")
        rss.append(usage.ru_maxrss)
        cpu.append((usage.ru_utime + usage.ru_stime) * 1000)
for key, _, _ in specs:
    walls, rss, cpu = results[key]
    print(f"{key} {statistics.median(walls):.1f} {statistics.median(rss):.0f} {min(walls):.1f} {max(walls):.1f} {statistics.median(cpu):.0f}")
EOF
)
    while read -r key ms rss lo hi cpu; do
        MS[$key]=$ms RSS[$key]=$rss CPU[$key]=$cpu SPREAD[$key]="$lo–$hi"
        log "  $key: median $ms ms, CPU $cpu ms, peak RSS $rss KB (runs $lo–$hi ms)"
    done <<<"$out"
}

# Warm the page cache so every tool reads from memory.
cat "$CORPUS"/* >/dev/null

GUARD=()
SUB_GUARD=()
if [[ -z $NO_PEERS ]]; then
    # cfn-guard exits 19 when a rule fails; it reads every .json/.yaml file it is given.
    GUARD=(guard 0,19 "$CACHE/bin/cfn-guard" validate -r bench/lex.guard -d "$CORPUS" -S none :::)
    SUB_GUARD=(sub_guard 0,19 "$CACHE/bin/cfn-guard" validate -r bench/lex.guard -d "$SUBSET" -S none :::)
fi
group "$RUNS" \
    floor 0 "$FLOOR" "$CORPUS" ::: \
    floor_spanned 0 "$FLOOR" --lexguard-parser "$CORPUS" ::: \
    all 0,1 "$LEXGUARD" check "$CORPUS" --format json -o /dev/null ::: \
    five 0,1 "$LEXGUARD" check "$CORPUS" --format json -o /dev/null --select "$FIVE" ::: \
    "${GUARD[@]}"
# One thread against two, each pinned to as many cores: lexguard writes its
# report on the calling thread while the rayon workers lint, so RAYON_NUM_THREADS=1
# alone would still use a second core. The floor's own scaling shows what two
# threads can give on this machine.
group "$RUNS" \
    all_1t 0,1 env RAYON_NUM_THREADS=1 taskset -c 0 "$LEXGUARD" check "$CORPUS" --format json -o /dev/null ::: \
    all_2t 0,1 env RAYON_NUM_THREADS=2 taskset -c 0,1 "$LEXGUARD" check "$CORPUS" --format json -o /dev/null ::: \
    floor_1t 0 env RAYON_NUM_THREADS=1 taskset -c 0 "$FLOOR" "$CORPUS" ::: \
    floor_2t 0 env RAYON_NUM_THREADS=2 taskset -c 0,1 "$FLOOR" "$CORPUS"
group "$((RUNS * 8))" one 0,1 "$LEXGUARD" check "$ONE" --format json -o /dev/null
group "$RUNS" \
    sub_lexguard 0,1 "$LEXGUARD" check "$SUBSET" --format json -o /dev/null ::: \
    sub_five 0,1 "$LEXGUARD" check "$SUBSET" --format json -o /dev/null --select "$FIVE" ::: \
    "${SUB_GUARD[@]}"
BIG=$(corpus "$BIG_COUNT")
cat "$BIG"/* >/dev/null
BIG_BYTES=$(find "$BIG" -type f ! -name .complete -printf '%s\n' | awk '{s+=$1} END {print s}')
group "$(((RUNS + 1) / 2))" \
    big 0,1 "$LEXGUARD" check "$BIG" --format json -o /dev/null ::: \
    big_floor 0 "$FLOOR" "$BIG"

if [[ -z $NO_PEERS ]]; then
    # cfn-lint's exit code is a bit mask of error/warning/informational (2, 4, 8).
    group "$PY_RUNS" sub_cfnlint 0,2,4,6,8,10,12,14 "$CACHE/venv/bin/cfn-lint" "$SUBSET"/*
    # BC_SKIP_MAPPING: no attempt to download guideline links (there is no network).
    group "$PY_RUNS" sub_checkov 0,1 env BC_SKIP_MAPPING=TRUE "$CACHE/venv/bin/checkov" -d "$SUBSET" --framework cloudformation --quiet --compact -o json
fi

# --- report --------------------------------------------------------------------
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}')" "$1" "$2"; }
# Peak RSS comes in KiB; "MB" in the tables is MiB (2^20 bytes). Corpus sizes are decimal MB.
mb() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1024:.1f}')" "$1"; }
mbd() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6:.1f}')" "$1"; }
verdict() { python3 -c "import sys; print('met' if eval(sys.argv[1]) else '**not met**')" "$1"; }

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
CORES=$(nproc)
RAM=$(free -h | awk '/^Mem:/ {print $2}')
OS=$(. /etc/os-release && echo "$PRETTY_NAME")
KERNEL=$(uname -r)
RUSTC=$(rustc --version)
LG_VERSION=$("$LEXGUARD" --version)
POLICIES=$("$LEXGUARD" policies 2>/dev/null | grep -c '^LEX' || true)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')

table() {
    local r_floor r_five
    echo "Corpus: $CORPUS_FILES generated templates (\`gen-corpus --seed $SEED --count $COUNT\`), $(mbd "$CORPUS_BYTES") MB;"
    echo "$CFN_FILES of them CloudFormation (the rest \`.tf.json\` and plans). Median of $RUNS runs,"
    echo "whole process (start to exit), warm page cache, the commands of each comparison run
round-robin; peak RSS from \`wait4\` (MiB)."
    echo
    echo "| Run | Files checked | Wall time (median) | Range | CPU time (median) | Peak RSS | Wall vs floor | CPU vs floor |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    echo "| parse-only floor (serde_json + serde_yaml, rayon) | all | ${MS[floor]} ms | ${SPREAD[floor]} | ${CPU[floor]} ms | $(mb "${RSS[floor]}") MB | 1.00× | 1.00× |"
    echo "| lexguard's spanned parser only (\`parse-floor --lexguard-parser\`) | all | ${MS[floor_spanned]} ms | ${SPREAD[floor_spanned]} | ${CPU[floor_spanned]} ms | $(mb "${RSS[floor_spanned]}") MB | $(ratio "${MS[floor_spanned]}" "${MS[floor]}")× | $(ratio "${CPU[floor_spanned]}" "${CPU[floor]}")× |"
    echo "| lexguard, all $POLICIES built-in policies | all | ${MS[all]} ms | ${SPREAD[all]} | ${CPU[all]} ms | $(mb "${RSS[all]}") MB | $(ratio "${MS[all]}" "${MS[floor]}")× | $(ratio "${CPU[all]}" "${CPU[floor]}")× |"
    echo "| lexguard, the five policies (\`--select $FIVE\`) | all | ${MS[five]} ms | ${SPREAD[five]} | ${CPU[five]} ms | $(mb "${RSS[five]}") MB | $(ratio "${MS[five]}" "${MS[floor]}")× | $(ratio "${CPU[five]}" "${CPU[floor]}")× |"
    if [[ -z $NO_PEERS ]]; then
        echo "| cfn-guard $CFN_GUARD_VERSION, \`bench/lex.guard\` (five rules) | all parsed, CloudFormation checked | ${MS[guard]} ms | ${SPREAD[guard]} | ${CPU[guard]} ms | $(mb "${RSS[guard]}") MB | $(ratio "${MS[guard]}" "${MS[floor]}")× | $(ratio "${CPU[guard]}" "${CPU[floor]}")× |"
    fi
    echo
    echo "Scenarios:"
    echo
    echo "| Scenario | Measured |"
    echo "| --- | --- |"
    echo "| 1 thread on 1 core (\`RAYON_NUM_THREADS=1 taskset -c 0\`), all policies | ${MS[all_1t]} ms wall, ${CPU[all_1t]} ms CPU, $(mb "${RSS[all_1t]}") MB |"
    echo "| 2 threads on 2 cores (\`RAYON_NUM_THREADS=2 taskset -c 0,1\`), all policies | ${MS[all_2t]} ms wall, ${CPU[all_2t]} ms CPU, $(mb "${RSS[all_2t]}") MB; speed-up $(ratio "${MS[all_1t]}" "${MS[all_2t]}")× |"
    echo "| parse-only floor, 1 thread → 2 threads | ${MS[floor_1t]} ms → ${MS[floor_2t]} ms; speed-up $(ratio "${MS[floor_1t]}" "${MS[floor_2t]}")× |"
    echo "| one $(($(stat -c %s "$ONE") / 1024)) KB template (\`$(basename "$ONE")\`), all policies, $((RUNS * 8)) runs | ${MS[one]} ms (range ${SPREAD[one]}), $(mb "${RSS[one]}") MB |"
    echo "| $BIG_COUNT templates ($(mbd "$BIG_BYTES") MB), all policies | ${MS[big]} ms, peak RSS $(mb "${RSS[big]}") MB ($(ratio "${RSS[big]}" "${RSS[all]}")× the $COUNT-template peak) |"
    echo "| $BIG_COUNT templates, parse-only floor | ${MS[big_floor]} ms, $(mb "${RSS[big_floor]}") MB |"
    if [[ -z $NO_PEERS ]]; then
        echo
        echo "On $SUBSET_COUNT CloudFormation templates (the first $SUBSET_COUNT \`cfn-*\` files of the corpus; the Python tools $PY_RUNS runs each):"
        echo
        echo "| Tool | Wall time (median) | Peak RSS | vs lexguard |"
        echo "| --- | ---: | ---: | ---: |"
        echo "| lexguard, all policies | ${MS[sub_lexguard]} ms | $(mb "${RSS[sub_lexguard]}") MB | 1.00× |"
        echo "| lexguard, the five policies | ${MS[sub_five]} ms | $(mb "${RSS[sub_five]}") MB | $(ratio "${MS[sub_five]}" "${MS[sub_lexguard]}")× |"
        echo "| cfn-guard $CFN_GUARD_VERSION, five rules | ${MS[sub_guard]} ms | $(mb "${RSS[sub_guard]}") MB | $(ratio "${MS[sub_guard]}" "${MS[sub_lexguard]}")× (vs the five: $(ratio "${MS[sub_guard]}" "${MS[sub_five]}")×) |"
        echo "| cfn-lint $CFN_LINT_VERSION (all its rules) | ${MS[sub_cfnlint]} ms | $(mb "${RSS[sub_cfnlint]}") MB | $(ratio "${MS[sub_cfnlint]}" "${MS[sub_lexguard]}")× |"
        echo "| Checkov $CHECKOV_VERSION (\`--framework cloudformation\`) | ${MS[sub_checkov]} ms | $(mb "${RSS[sub_checkov]}") MB | $(ratio "${MS[sub_checkov]}" "${MS[sub_lexguard]}")× |"
    fi
    echo
    echo "Targets (issue 5):"
    echo
    echo "| Target | Measured | |"
    echo "| --- | --- | --- |"
    r_floor=$(ratio "${MS[all]}" "${MS[floor]}")
    echo "| whole catalog ≤ 2× the parse-only floor | $r_floor× wall ($(ratio "${CPU[all]}" "${CPU[floor]}")× CPU) | $(verdict "$r_floor <= 2") |"
    if [[ -z $NO_PEERS ]]; then
        r_five=$(ratio "${MS[guard]}" "${MS[five]}")
        echo "| ≥ 40× faster than cfn-guard on the five rules | ${r_five}× wall ($(ratio "${CPU[guard]}" "${CPU[five]}")× CPU) | $(verdict "$r_five >= 40") |"
    fi
    echo "| peak memory ≤ 150 MB on $COUNT templates | $(mb "${RSS[all]}") MB | $(verdict "${RSS[all]} <= 150 * 1024") |"
    echo "| peak memory on $BIG_COUNT ≤ +20% of $COUNT | +$(python3 -c "print(f'{(${RSS[big]} / ${RSS[all]} - 1) * 100:.0f}')")% | $(verdict "${RSS[big]} <= 1.2 * ${RSS[all]}") |"
    echo "| one 20 KB template < 15 ms | ${MS[one]} ms | $(verdict "${MS[one]} < 15") |"
    echo "| 2 threads ≥ 1.7× one | $(ratio "${MS[all_1t]}" "${MS[all_2t]}")× | $(verdict "${MS[all_1t]} / ${MS[all_2t]} >= 1.7") |"
    echo
    echo "Machine: $CPU, $CORES cores, $RAM RAM; $OS (Linux $KERNEL); $RUSTC; $LG_VERSION"
    echo "(release profile); measured $DATE by \`bench/compare.sh\` (RUNS=$RUNS). Load average at the"
    echo "end of the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows up in wall time, hardly in CPU time)."
}

RESULTS=$(table)
echo "$RESULTS"
python3 - "$DOC" "$RESULTS" <<'EOF'
import sys, pathlib
doc, results = pathlib.Path(sys.argv[1]), sys.argv[2]
begin, end = "<!-- results:begin (bench/compare.sh) -->", "<!-- results:end -->"
text = doc.read_text() if doc.exists() else f"# Performance\n\n{begin}\n{end}\n"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
doc.write_text(f"{head}{begin}\n{results}\n{end}{tail}")
EOF
log "updated $DOC"
