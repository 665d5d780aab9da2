#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Publishes numbered items through a pipelining DEALER and records every ACK as it arrives.

Usage: crash_publisher.py API COUNT ACKFILE
Each item has the id crash-NNNNN. Each ACK is written to ACKFILE as "id seq" and flushed at
once, so a test that kills the daemon knows exactly what was acknowledged. The script stops
when every item is acknowledged, or when no reply comes for 3 seconds (the daemon died), and
prints how many ACKs it got. Run it again after a restart to retry every id.
"""
import json
import sys

import zmq

SIGNATURE = b"ORIS01"
WINDOW = 64


def main():
    api, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.plain_username = b"cci-belfort"
    dealer.linger = 0
    dealer.connect(api)
    poller = zmq.Poller()
    poller.register(dealer, zmq.POLLIN)

    acked = 0
    sent = 0
    with open(path, "a", encoding="utf-8") as out:
        while acked < count:
            while sent < count and sent - acked < WINDOW:
                header = {"kind": "signal", "theme": "machine-speciale", "title": "item %d" % sent,
                          "id": "crash-%05d" % sent}
                dealer.send_multipart([b"", SIGNATURE, b"PUBLISH", json.dumps(header).encode(), b"x" * 100])
                sent += 1
            if not poller.poll(3000):
                break
            frames = dealer.recv_multipart()
            word, body = frames[2], json.loads(frames[3])
            if word != b"ACK":
                print("unexpected reply %s %s" % (word, body), file=sys.stderr)
                sys.exit(2)
            out.write("%s %d\n" % (body["id"], body["seq"]))
            out.flush()
            acked += 1
    dealer.close()
    ctx.term()
    print(acked)


if __name__ == "__main__":
    main()
