# Shared by the scripts that start real model servers (sourced, not run).

# A TCP port free on 127.0.0.1 at the time of asking.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Wait up to SECONDS (default 60) for URL to answer while process PID lives; status 1 when it died or never answered.
wait_until_up() {
  local url=$1 pid=$2 seconds=${3:-60}
  for _ in $(seq 1 $((seconds * 2))); do
    curl -sf "$url" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

# Remove what servers no longer listening on their port left ($1/NAME-PORT.log, or a folder $1/NAME-PORT): each start
# writes new ones, and the caller stops the server by its PID, so this is where the old ones go. Those of a server
# still running are kept.
prune_stale() {
  local dir=$1 name=$2 path port
  for path in "$dir/$name"-*; do
    [ -e "$path" ] || continue
    port=${path##*-}
    port=${port%.log}
    case $port in '' | *[!0-9]*) continue ;; esac
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || rm -rf "$path"
  done
}

# How ggml's CPU code is compiled for this machine: "FLAVOUR|COMPILER FLAGS|CMAKE ARGS" (the same target for a
# compiler driven directly, as Ollama's build is, and for llama.cpp's CMake build). A native build (-march=native) on a
# CPU that reports AMX compiles ggml's AMX kernels, and a virtual machine that reports AMX without letting a process use
# its tiles kills the server at its first answer: a general protection fault at `ldtilecfg` in libggml-cpu.so, seen on
# 2026-12-07 (Firecracker, Xeon with amx_int8 in /proc/cpuinfo). So x86-64 builds target x86-64-v3 (AVX2, FMA, F16C,
# BMI2), which every x86-64 CI machine of the last decade runs; AVX-512 and AMX stay off. Other CPUs build native.
ggml_cpu_target() {
  case "$(uname -m)" in
    x86_64) echo "x86-64-v3|-march=x86-64-v3|-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" ;;
    *) echo "native|-march=native|-DGGML_NATIVE=ON" ;;
  esac
}
