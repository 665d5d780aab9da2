#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A client of ORIS Bus written only from docs/PROTOCOL.md, with pyzmq.

Publishes through REQ, a pipelining DEALER and a fire-and-forget PUB, receives on SUB, and
prints one JSON object with what it saw, for the Swift test that runs it to check.

Usage: pyzmq_client.py API_ENDPOINT FEED_ENDPOINT INGEST_ENDPOINT
"""
import json
import sys
import time

import zmq

SIGNATURE = b"ORIS01"


def header(**fields):
    return json.dumps(fields).encode("utf-8")


def reply_of(frames):
    # A REQ socket strips the empty delimiter; a DEALER sees it.
    if frames and frames[0] == b"":
        frames = frames[1:]
    assert frames[0] == SIGNATURE, frames
    return frames[1].decode(), json.loads(frames[2])


def main():
    api, feed, ingest = sys.argv[1:4]
    ctx = zmq.Context()
    result = {}

    sub = ctx.socket(zmq.SUB)
    sub.plain_username = b"gip-machine"
    sub.setsockopt(zmq.SUBSCRIBE, b"bfc/machine-speciale/gip/")
    sub.connect(feed)

    operator = ctx.socket(zmq.REQ)
    operator.plain_username = b"operator"
    operator.connect(api)
    deadline = time.time() + 10
    while time.time() < deadline:
        operator.send_multipart([SIGNATURE, b"STATS"])
        word, stats = reply_of(operator.recv_multipart())
        if stats["subscriptions"] >= 1:
            break
        time.sleep(0.02)

    req = ctx.socket(zmq.REQ)
    req.plain_username = b"cci-belfort"
    req.connect(api)
    req.send_multipart([SIGNATURE, b"PUBLISH",
                        header(kind="alert", theme="machine-speciale", title="Fermeture d'un site",
                               severity="Extreme", id="py-req-1"),
                        "corps en UTF-8 : é".encode()])
    result["req"] = reply_of(req.recv_multipart())

    dealer = ctx.socket(zmq.DEALER)
    dealer.plain_username = b"cci-belfort"
    dealer.connect(api)
    for n in range(3):
        dealer.send_multipart([b"", SIGNATURE, b"PUBLISH",
                               header(kind="signal", theme="machine-speciale", title="signal %d" % n,
                                      id="py-dealer-%d" % n),
                               b""])
    result["dealer"] = [reply_of(dealer.recv_multipart()) for _ in range(3)]
    dealer.send_multipart([b"", SIGNATURE, b"PUBLISH", b"{not json", b""])
    result["dealer_bad"] = reply_of(dealer.recv_multipart())

    pub = ctx.socket(zmq.PUB)
    pub.plain_username = b"cci-belfort"
    pub.connect(ingest)
    time.sleep(0.3)  # a PUB drops what it sends before its connection is up
    pub.send_multipart([SIGNATURE, b"PUBLISH",
                        header(kind="signal", theme="machine-speciale", title="par PUB", id="py-pub-1"), b""])

    received = []
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    while len(received) < 5 and poller.poll(5000):
        topic, hdr, body = sub.recv_multipart()
        h = json.loads(hdr)
        received.append({"topic": topic.decode(), "id": h["id"], "seq": h["seq"], "sender": h["sender"],
                         "tier": h["tier"], "body": body.decode()})
    result["received"] = received

    for s in (sub, operator, req, dealer, pub):
        s.close(0)
    ctx.term()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
