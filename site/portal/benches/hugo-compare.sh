#!/usr/bin/env bash
# Build the synthetic project of the `site_build` benchmark with `portal build`, and the same
# pages with Hugo, one after the other on this machine; print pages, wall time, CPU time (user +
# system) and peak memory (maximum resident set size), from /usr/bin/time -v, for each.
#
#   site/portal/benches/hugo-compare.sh [COUNTIES [POLICIES [WORKDIR]]]    (default 3000 10)
#
# The project comes from the benchmark's own generator (`portal::synthetic`), and `portal` is
# the binary that `cargo bench` builds beside it. The Hugo site is made from that project: per
# policy a page with its metadata table, table of contents, full text and rules table (the
# policy's YAML is the page's front matter, its text.md the body); per county a page with its
# policies and their rate tables, and a form page with a field per fact its rules use.
#
# Each build writes into a folder of its own (WORKDIR/NAME-public-RUN) that no earlier build
# used, after everything written so far is flushed to disk (`sync`) and COMPARE_SETTLE seconds
# (default 20) of rest; the outputs are removed only when every build is done. Removing one
# build's output before the next would make the comparison measure the file system: ext4
# without a journal (as on the machine this was written on) skips, when it makes a file, every
# inode freed in the last 30 seconds, or 330 when that inode's block has been written to since,
# and it looks through them again for every file; a build right after removing 100,000 files
# spent a fifth of its time there, and more the more files it makes. The two builds run
# COMPARE_RUNS times (default 2) in alternating order (portal first, then Hugo first), and each
# one's fastest run (its wall time, CPU time and peak memory) is compared: this machine's speed
# varies by a third from minute to minute, so runs next to each other say more than any one.
#
# Needs: cargo, hugo (Debian: `apt-get install hugo`), GNU time (/usr/bin/time). At national
# size a portal build writes about 6 GB into WORKDIR and a Hugo build 0.8 GB, all kept until
# the last build is done (default WORKDIR: a new folder under /tmp); the last run's outputs stay
# for inspection, and whatever an earlier invocation left is removed at the end.
# Either build is killed when its memory passes COMPARE_MAX_RSS_MB (default 8000). With
# COMPARE_REUSE=1 a project already in WORKDIR/project (and its Hugo site in WORKDIR/hugo, if
# there) is used as it is; COMPARE_ONLY=portal or COMPARE_ONLY=hugo runs one of the two builds.
set -euo pipefail

counties=${1:-3000}
policies=${2:-10}
work=${3:-$(mktemp -d /tmp/hugo-compare.XXXXXX)}
max_rss_mb=${COMPARE_MAX_RSS_MB:-8000}
runs=${COMPARE_RUNS:-2}
settle=${COMPARE_SETTLE:-20}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}

for tool in cargo hugo /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "hugo-compare: needs $tool" >&2; exit 2; }
done
builds=()
[[ ${COMPARE_ONLY:-portal} == portal ]] && builds+=(portal)
[[ ${COMPARE_ONLY:-hugo} == hugo ]] && builds+=(hugo)
((${#builds[@]})) || { echo "hugo-compare: COMPARE_ONLY is portal, hugo or unset" >&2; exit 2; }
((runs >= 1)) || { echo "hugo-compare: COMPARE_RUNS must be at least 1" >&2; exit 2; }

mkdir -p "$work"
# What this run replaces (the outputs of the builds compared, what earlier runs left aside,
# and below a project or Hugo site made anew) is moved aside, not removed, until every build
# is done: see above, removing it now would slow the builds that follow.
old=$work/removed-$$
mkdir -p "$old"
trap 'rm -rf "$old"' EXIT
move_aside() {
    for path in "$@"; do
        [[ $path != "$old" && -e $path ]] && mv "$path" "$old/"
    done
    return 0
}
move_aside "$work"/removed-*
for name in "${builds[@]}"; do move_aside "$work/$name"-public*; done

if [[ ${COMPARE_REUSE:-} == 1 && -d $work/project ]]; then
    echo "== using the project in $work/project"
    (cd "$repo" && cargo build -q --release -p portal)
else
    move_aside "$work/project" "$work/hugo"
    echo "== generating $counties counties × $policies policies in $work/project"
    (cd "$repo" && SITE_BENCH_PROJECT="$work/project" SITE_BENCH_COUNTIES="$counties" \
        SITE_BENCH_POLICIES="$policies" cargo bench -q -p portal --bench site_build)
fi
portal=$target/release/portal

hugo_site=$work/hugo
if [[ ${COMPARE_REUSE:-} == 1 && -f $hugo_site/hugo.toml ]]; then
    echo "== using the Hugo site in $hugo_site"
else
    echo "== writing the same pages as a Hugo site in $hugo_site"
    move_aside "$hugo_site"
    mkdir -p "$hugo_site/content/counties" "$hugo_site/data" "$hugo_site/layouts/_default" \
        "$hugo_site/layouts/policy" "$hugo_site/layouts/estimate" "$hugo_site/layouts/partials"
    cp "$work/project/policies/facts.yaml" "$hugo_site/data/facts.yaml"
    cat >"$hugo_site/hugo.toml" <<'EOF'
baseURL = "https://example.org/"
languageCode = "zh-cn"
title = "产业扶贫政策（Hugo）"
disableKinds = ["taxonomy", "term"]
[outputs]
home = ["HTML", "RSS"]
section = ["HTML"]
page = ["HTML"]
[markup.tableOfContents]
startLevel = 2
endLevel = 4
EOF
    cat >"$hugo_site/layouts/_default/baseof.html" <<'EOF'
<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ site.Title }}</title></head>
<body><header><a href="/">{{ site.Title }}</a> <nav><a href="/counties/">各县</a></nav></header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer></body></html>
EOF
    # The facts by id, worked out once for the whole site.
    cat >"$hugo_site/layouts/partials/facts.html" <<'EOF'
{{ $facts := dict }}{{ range site.Data.facts.facts }}{{ $facts = merge $facts (dict .id .) }}{{ end }}
{{ return $facts }}
EOF
    # A policy's rules table with its rates, each linked to its clause: made once per policy
    # (partialCached) and shown on the policy's page, its county's page and its form page.
    cat >"$hugo_site/layouts/partials/rates.html" <<'EOF'
{{ $facts := partialCached "facts.html" "facts" }}
<table class="rules"><thead><tr><th>项目</th><th>标准</th><th>数量</th><th>兑现</th><th>上限</th><th>条件</th><th>依据</th></tr></thead><tbody>
{{ range .page.Params.rules }}<tr id="rule-{{ .id }}"><th scope="row">{{ .label }}</th><td>{{ with .rate }}{{ . }}{{ else }}{{ with .amount }}{{ . }}{{ else }}未规定金额{{ end }}{{ end }}</td><td>{{ with .quantity }}{{ with index $facts . }}{{ .label }}{{ end }}{{ end }}</td><td>{{ .paid | default "未写明" }}</td><td>{{ with .cap }}{{ . }}{{ end }}{{ with .max_quantity }} 数量上限 {{ . }}{{ end }}</td><td>{{ .eligible_description }}</td><td><a href="{{ $.page.RelPermalink }}#{{ .clause }}">{{ .clause }}</a></td></tr>
{{ with .notes }}<tr><td colspan="7">{{ delimit . "；" }}</td></tr>{{ end }}{{ end }}
</tbody></table>
EOF
    cat >"$hugo_site/layouts/policy/single.html" <<'EOF'
{{ define "main" }}
<h1>{{ .Title }}</h1>
<table class="meta"><tbody>
<tr><th>县</th><td><a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></td></tr>
<tr><th>发文机关</th><td>{{ .Params.metadata.issuer }}</td></tr>
<tr><th>文种</th><td>{{ .Params.metadata.genre }}</td></tr>
<tr><th>成文日期</th><td>{{ .Params.metadata.written }}</td></tr>
<tr><th>状态</th><td>{{ .Params.metadata.status }}</td></tr>
<tr><th>有效期</th><td>{{ .Params.validity.from }} 至 {{ .Params.validity.to | default "—" }}</td></tr>
<tr><th>说明</th><td>{{ .Params.validity.note }}</td></tr>
<tr><th>对象</th><td>{{ .Params.eligible_description }}</td></tr>
</tbody></table>
<nav class="toc" aria-label="目录">{{ .TableOfContents }}</nav>
<article>{{ .Content }}</article>
<h2 id="rules">补助标准</h2>
{{ partialCached "rates.html" (dict "page" .) .RelPermalink }}
{{ end }}
EOF
    cat >"$hugo_site/layouts/_default/list.html" <<'EOF'
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ with .Params.province }}<p>{{ . }} · {{ $.Params.prefecture }}</p>{{ end }}
{{ range .Sections }}<p><a href="{{ .RelPermalink }}">{{ .Title }}</a></p>{{ end }}
{{ with where .Pages "Type" "estimate" }}{{ range . }}<p><a href="{{ .RelPermalink }}">补助估算</a></p>{{ end }}{{ end }}
{{ range where .Pages "Type" "policy" }}
<section><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Params.metadata.issuer }} · {{ .Params.validity.from }} 至 {{ .Params.validity.to | default "—" }}</p>
{{ partialCached "rates.html" (dict "page" .) .RelPermalink }}
</section>
{{ end }}
{{ end }}
EOF
    cp "$hugo_site/layouts/_default/list.html" "$hugo_site/layouts/index.html"
    cat >"$hugo_site/layouts/estimate/single.html" <<'EOF'
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $facts := partialCached "facts.html" "facts" }}
{{ $used := slice }}
{{ range where .Parent.Pages "Type" "policy" }}{{ range .Params.rules }}{{ with .quantity }}
  {{ $used = $used | append . }}
{{ end }}{{ end }}{{ end }}
<form method="get"><fieldset><legend>家庭情况与产业</legend>
{{ range uniq $used }}{{ with index $facts . }}
<p><label for="{{ .id }}">{{ .label }}{{ with .unit }}（{{ . }}）{{ end }}</label>
<input id="{{ .id }}" name="{{ .id }}" inputmode="decimal">{{ with .help }}<small>{{ . }}</small>{{ end }}</p>
{{ end }}{{ end }}
</fieldset><button>估算</button></form>
<h2>本县补助标准</h2>
{{ range where .Parent.Pages "Type" "policy" }}<h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>{{ partialCached "rates.html" (dict "page" .) .RelPermalink }}{{ end }}
{{ end }}
EOF
    printf -- '---\ntitle: 各县\n---\n' >"$hugo_site/content/counties/_index.md"

    # One awk per county writes its pages' sources: a policy's front matter is its policy.yaml
    # without the worked examples (Hugo shows none), then its address; the body is its text.md.
    cat >"$work/policy-pages.awk" <<'EOF'
FNR == 1 && FILENAME ~ /policy\.yaml$/ {
    if (page) close(page)
    page = out "/" ++n ".md"; skip = 0
    print "---" > page
}
FNR == 1 && FILENAME ~ /text\.md$/ { printf "type: policy\nurl: /policies/%s/\n---\n", id > page }
FILENAME ~ /policy\.yaml$/ && /^[a-z_]+:/ { skip = ($1 == "examples:") }
FILENAME ~ /policy\.yaml$/ && /^id: / { id = $2 }
!skip { print > page }
EOF
    nl=$'\n'
    for county_dir in "$work/project/policies"/*/; do
        [[ -f "$county_dir/county.yaml" ]] || continue
        IFS= read -r -d '' county_yaml <"$county_dir/county.yaml" || true
        [[ $county_yaml =~ (^|$nl)code:\ \"?([0-9]+) ]] && code=${BASH_REMATCH[2]}
        [[ $county_yaml =~ (^|$nl)name:\ ([^$nl]+) ]] && name=${BASH_REMATCH[2]}
        out=$hugo_site/content/counties/$code
        mkdir -p "$out"
        printf -- '---\ntitle: %s\n%s---\n' "$name" "$county_yaml" >"$out/_index.md"
        printf -- '---\ntitle: %s补助估算\ntype: estimate\nurl: /counties/%s/estimate/\n---\n' \
            "$name" "$code" >"$out/estimate.md"
        sources=()
        for policy_dir in "$county_dir"*/; do
            [[ -f $policy_dir/policy.yaml && -f $policy_dir/text.md ]] &&
                sources+=("$policy_dir/policy.yaml" "$policy_dir/text.md")
        done
        ((${#sources[@]})) && awk -v out="$out" -f "$work/policy-pages.awk" "${sources[@]}"
    done
fi

# Run "$@" under /usr/bin/time -v; kill it if its memory passes the limit. Sets $wall, $cpu
# (user + system seconds) and $rss_mb.
measure() {
    local report
    report=$(mktemp)
    /usr/bin/time -v -o "$report" "$@" &
    local timer=$! child peak=0 rss
    while kill -0 "$timer" 2>/dev/null; do
        child=$(pgrep -P "$timer" || true)
        if [[ -n $child ]]; then
            rss=$(awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$child/status" 2>/dev/null || echo 0)
            if ((rss > max_rss_mb)); then
                echo "hugo-compare: $1 passed ${max_rss_mb} MB, stopped" >&2
                kill "$child"
            fi
        fi
        sleep 0.5
    done
    wait "$timer" || { echo "hugo-compare: $* failed" >&2; cat "$report" >&2; return 1; }
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$report")
    rss_mb=$(awk -F': ' '/Maximum resident set size/ { print int($2 / 1024) }' "$report")
    cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { printf "%.2f", s }' "$report")
    rm -f "$report"
}

seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<<"$1"; }

# One build of `$1` (portal or hugo) into a new output folder, after a flush and a rest; prints
# a line of the table and keeps the fastest wall time, its CPU time and its peak memory.
declare -A best_wall best_cpu best_rss pages_of last_out
build() {
    local name=$1 out=$work/$1-public-$run
    sync
    sleep "$settle"
    # What a build says goes to WORKDIR/NAME.log, shown if it fails.
    local log=$work/$name.log
    if [[ $name == portal ]]; then
        measure "$portal" build --root "$work/project" --out "$out" >"$log" 2>&1 ||
            { cat "$log" >&2; return 1; }
    else
        measure hugo --quiet --source "$hugo_site" --destination "$out" >"$log" 2>&1 ||
            { cat "$log" >&2; return 1; }
    fi
    local secs
    secs=$(seconds "$wall")
    pages_of[$name]=$(find "$out" -name '*.html' | wc -l)
    last_out[$name]=$out
    printf '%-8s %4d %8d %10.2f %10.2f %14d\n' "$name" "$run" "${pages_of[$name]}" "$secs" "$cpu" "$rss_mb"
    if [[ -z ${best_wall[$name]:-} ]] || awk -v a="$secs" -v b="${best_wall[$name]}" 'BEGIN { exit !(a < b) }'; then
        best_wall[$name]=$secs
        best_cpu[$name]=$cpu
        best_rss[$name]=$rss_mb
    fi
}

echo "== $runs runs; hugo $(hugo version | cut -d' ' -f2)"
printf '%-8s %4s %8s %10s %10s %14s\n' build run pages "wall (s)" "CPU (s)" "peak RSS (MB)"
for ((run = 1; run <= runs; run++)); do
    if ((run % 2)); then order=("${builds[@]}"); else order=(); for ((i = ${#builds[@]} - 1; i >= 0; i--)); do order+=("${builds[i]}"); done; fi
    for name in "${order[@]}"; do build "$name"; done
done

echo
echo "fastest of $runs:"
printf '%-8s %8s %10s %10s %14s\n' build pages "wall (s)" "CPU (s)" "peak RSS (MB)"
for name in "${builds[@]}"; do
    printf '%-8s %8d %10.2f %10.2f %14d\n' "$name" "${pages_of[$name]}" "${best_wall[$name]}" "${best_cpu[$name]}" "${best_rss[$name]}"
done
if [[ -n ${best_wall[portal]:-} && -n ${best_wall[hugo]:-} ]]; then
    awk -v p="${best_wall[portal]}" -v h="${best_wall[hugo]}" -v pc="${best_cpu[portal]}" -v hc="${best_cpu[hugo]}" \
        'BEGIN { printf "portal/hugo time: %.2f (CPU time: %.2f)\n", p / h, pc / hc }'
fi
[[ -n ${best_wall[portal]:-} ]] && tail -n 1 "$work/portal.log"

# Every output but the last of each build is removed now, and what was moved aside on exit.
for ((run = 1; run < runs; run++)); do rm -rf "$work/portal-public-$run" "$work/hugo-public-$run"; done
for name in "${builds[@]}"; do echo "output of $name: ${last_out[$name]}"; done
