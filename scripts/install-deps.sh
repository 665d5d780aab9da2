#!/usr/bin/env bash
# Installs what building and testing ORIS Bus needs and is missing: libzmq's headers and
# pkg-config (Debian packages), and pyzmq for the interoperability tests. Says what it does;
# stops with a clear sentence when it cannot.
set -euo pipefail

want_python=0
want_peers=0
for arg in "$@"; do
  case "$arg" in
    --with-python) want_python=1;;
    # bench/run-peers.sh measures orisd beside these brokers (../shared/bench-peers/README.md);
    # bench/profile.sh and bench/perf.sh need valgrind and perf.
    --with-peers) want_peers=1;;
  esac
done

say() { printf 'install-deps: %s\n' "$*" >&2; }

if ! command -v swift >/dev/null 2>&1; then
  say "the Swift 6 toolchain is not on PATH; install it (https://www.swift.org/install/linux/) and retry"
  exit 1
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else
    say "need root to run: $*  (run it as root, or install sudo)"
    exit 1
  fi
}

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get not found: install these packages with your system's tools: $*"
    exit 1
  fi
  say "installing Debian packages: $*"
  as_root apt-get update -qq || { say "apt-get update failed; check the network or the apt sources"; exit 1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || { say "apt-get install $* failed"; exit 1; }
}

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! pkg-config --exists libzmq 2>/dev/null; then missing+=(libzmq3-dev); fi
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

if [ "$want_python" -eq 1 ]; then
  # strace injects a failing fdatasync in one end-to-end test.
  command -v strace >/dev/null 2>&1 || apt_install strace
  if ! command -v python3 >/dev/null 2>&1; then apt_install python3; fi
  if ! python3 -c 'import zmq' >/dev/null 2>&1; then
    say "installing pyzmq for python3 ($(command -v python3))"
    if ! python3 -m pip install --quiet --disable-pip-version-check pyzmq >/dev/null 2>&1; then
      # A Debian system Python refuses pip (PEP 668); its own package serves instead.
      apt_install python3-zmq
    fi
    python3 -c 'import zmq' || { say "pyzmq is still not importable by python3"; exit 1; }
  fi
fi

if [ "$want_peers" -eq 1 ]; then
  peers=()
  command -v valgrind >/dev/null 2>&1 || peers+=(valgrind)
  # bench/perf.sh samples the loop with perf, kernel time included.
  command -v perf >/dev/null 2>&1 || peers+=(linux-perf)
  command -v mosquitto >/dev/null 2>&1 || peers+=(mosquitto)
  [ -e /usr/include/mosquitto.h ] || peers+=(libmosquitto-dev)
  command -v redis-server >/dev/null 2>&1 || peers+=(redis-server)
  command -v redis-benchmark >/dev/null 2>&1 || peers+=(redis-tools)
  command -v nats-server >/dev/null 2>&1 || peers+=(nats-server)
  # The harness builds its RabbitMQ client too, even when RabbitMQ itself is not run.
  [ -e /usr/include/amqp.h ] || peers+=(librabbitmq-dev)
  if [ ${#peers[@]} -gt 0 ]; then apt_install "${peers[@]}"; fi
fi
