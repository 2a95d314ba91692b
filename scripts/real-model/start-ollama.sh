#!/usr/bin/env bash
# Start a real Ollama server for the smoke test (tests/smoke/real-ollama.test.ts): Ollama built from its Go module, with
# SmolLM2-135M-Instruct imported from the GGUF of scripts/real-model/model.sh. Everything is cached on the machine.
#
#   scripts/real-model/start-ollama.sh   prints "HOST PID MODEL" on stdout once the server answers and has the model
#
# Cache: $SCRUM_REAL_MODEL_CACHE (default ~/.cache/scrumloop): ollama-$VERSION-TARGET/ollama (the binary), ollama-models/
# (OLLAMA_MODELS), ollama-home/ (the server's HOME, where it keeps its key), ollama-PORT.log (a start removes those of
# servers no longer listening). A cold cache builds the binary, 3–7 min on 2 cores: the module from the Go module
# proxy, whose zip leaves out its vendored headers (a module zip drops every vendor/ folder), so nlohmann/json and
# stb_image come from Debian (nlohmann-json3-dev, libstb-dev) and miniaudio.h from PyPI's miniaudio sdist. Exit 1
# with the reason on stderr when any of them cannot be had.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CACHE=${SCRUM_REAL_MODEL_CACHE:-$HOME/.cache/scrumloop}
VERSION=0.17.4
MINIAUDIO=1.71
MODEL=smollm2-135m
# ggml's CPU code is built for a portable target, not -march=native (lib.sh, ggml_cpu_target); binaries of each target
# are kept apart, so a native binary cached by an earlier version of this script is not used.
IFS='|' read -r flavour march _ <<<"$(ggml_cpu_target)"
bin="$CACHE/ollama-$VERSION-$flavour/ollama"
mkdir -p "$CACHE"

# Every step says `|| return 1`: set -e does not hold inside a function whose caller tests its status.
build_ollama() {
  local module
  module=$(go mod download -json "github.com/ollama/ollama@v$VERSION" | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])') || return 1
  cp -r "$module" "$build/src" && chmod -R u+w "$build/src" || return 1
  python3 - "$MINIAUDIO" "$build/src/llama/llama.cpp/vendor/miniaudio" <<'PY' || return 1
import io, json, os, sys, tarfile, urllib.request
version, dest = sys.argv[1], sys.argv[2]
meta = json.load(urllib.request.urlopen("https://pypi.org/pypi/miniaudio/json", timeout=60))
url = next(u["url"] for u in meta["releases"][version] if u["packagetype"] == "sdist")
with tarfile.open(fileobj=io.BytesIO(urllib.request.urlopen(url, timeout=120).read())) as tar:
    header = tar.extractfile(f"miniaudio-{version}/miniaudio/miniaudio.h").read()
os.makedirs(dest, exist_ok=True)
open(os.path.join(dest, "miniaudio.h"), "wb").write(header)
PY
  mkdir -p "$(dirname "$bin")" || return 1
  # A target with AVX2: a plain `go build` compiles ggml's CPU code without AVX, and prompts run ten times slower
  # (1,290 tokens in 75 s against 7 s with -march=native). The binary is built for and kept on this machine only.
  (cd "$build/src" && CGO_CFLAGS="-O3 $march" CGO_CXXFLAGS="-O3 $march" \
    go build -trimpath -ldflags "-X github.com/ollama/ollama/version.Version=$VERSION" -o "$bin.part" .) || return 1
  mv "$bin.part" "$bin"
}

if [ ! -x "$bin" ]; then
  command -v go >/dev/null || { echo "cannot build Ollama: no Go toolchain" >&2; exit 1; }
  for header in /usr/include/nlohmann/json.hpp /usr/include/stb/stb_image.h; do
    [ -f "$header" ] || { echo "cannot build Ollama: $header is missing (apt-get install nlohmann-json3-dev libstb-dev)" >&2; exit 1; }
  done
  echo "building Ollama $VERSION (cold cache: 3–7 min; log $CACHE/ollama-build.log)" >&2
  build=$(mktemp -d)
  trap 'chmod -R u+w "$build" 2>/dev/null; rm -rf "$build"' EXIT
  if ! build_ollama >"$CACHE/ollama-build.log" 2>&1; then
    tail -n 5 "$CACHE/ollama-build.log" >&2
    echo "cannot build Ollama $VERSION (see $CACHE/ollama-build.log)" >&2
    exit 1
  fi
fi

model=$("$(dirname "$0")/model.sh")

prune_stale "$CACHE" ollama
port=$(free_port)
host="127.0.0.1:$port"
mkdir -p "$CACHE/ollama-models" "$CACHE/ollama-home"
HOME="$CACHE/ollama-home" OLLAMA_HOST="$host" OLLAMA_MODELS="$CACHE/ollama-models" \
  nohup "$bin" serve >"$CACHE/ollama-$port.log" 2>&1 &
pid=$!
if ! wait_until_up "http://$host/api/version" "$pid"; then
  echo "the Ollama server did not come up (see $CACHE/ollama-$port.log)" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
fi
# Import the GGUF (a second time costs a hash of 98 MB: the blob is already there). Ollama reads the chat template from
# the file (ChatML for SmolLM2).
printf 'FROM %s\n' "$model" >"$CACHE/ollama-home/Modelfile"
if ! OLLAMA_HOST="$host" "$bin" create "$MODEL" -f "$CACHE/ollama-home/Modelfile" >>"$CACHE/ollama-$port.log" 2>&1; then
  echo "Ollama could not import $model (see $CACHE/ollama-$port.log)" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
fi
echo "http://$host $pid $MODEL"
