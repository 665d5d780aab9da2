#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A TCP forwarder on loopback that a test can cut and restore, to disconnect a subscriber.

Usage: cut_proxy.py TARGET_PORT
Prints the port it listens on (127.0.0.1) and forwards every connection to 127.0.0.1:TARGET_PORT.
SIGUSR1 closes every connection and stops listening; SIGUSR2 listens again on the same port.
It stops by itself after 120 seconds.
"""
import signal
import socket
import sys
import threading
import time

target = int(sys.argv[1])
lock = threading.Lock()
conns = []
state = {"listener": None, "port": 0}


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.close()
        except OSError:
            pass


def listen():
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", state["port"]))
    lst.listen(16)
    state["port"] = lst.getsockname()[1]
    state["listener"] = lst

    def accept_loop():
        while True:
            try:
                client, _ = lst.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", target))
            with lock:
                conns.extend([client, upstream])
            threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pump, args=(upstream, client), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()


def cut(*_):
    lst = state["listener"]
    if lst is not None:
        try:
            lst.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        lst.close()
        state["listener"] = None
    with lock:
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        conns.clear()


def restore(*_):
    if state["listener"] is None:
        listen()


signal.signal(signal.SIGUSR1, cut)
signal.signal(signal.SIGUSR2, restore)
listen()
print(state["port"], flush=True)
deadline = time.time() + 120
while time.time() < deadline:
    time.sleep(0.1)
