// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// Z85, CURVE key pairs, and a CURVE handshake that the ZAP handler names.
@Suite struct CurveKeysTests {
    @Test func z85_encodesAndDecodesTheRFC32TestVector() {
        // ZeroMQ RFC 32: these 8 bytes are "HelloWorld".
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]

        #expect(Z85.encode(bytes) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == bytes)
    }

    @Test func z85_refusesBadLengthsAndCharacters() {
        #expect(Z85.encode([1, 2, 3]) == nil)
        #expect(Z85.decode("Hello") != nil)
        #expect(Z85.decode("Hell") == nil)
        #expect(Z85.decode("Hell\"") == nil)
    }

    @Test func generate_makesTwoDifferent32ByteKeys() throws {
        try #require(CurveKeyPair.isAvailable, "libzmq without CURVE")

        let first = try CurveKeyPair.generate()
        let second = try CurveKeyPair.generate()

        #expect(first.publicKey.utf8.count == 40 && first.secretKey.utf8.count == 40)
        #expect(Z85.decode(first.publicKey)?.count == 32)
        #expect(first != second)
    }

    @Test func curveHandshake_givesTheZAPHandlerTheClientsPublicKey() throws {
        let context = try Context()
        defer { context.terminate() }
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let zap = try ZAPHandler(context: context)
        defer { zap.close() }
        let router = try Socket(context: context, type: .router)
        defer { router.close() }
        try router.set(.linger(milliseconds: 0))
        try router.set(.curveServer(true))
        try router.set(.curveSecretKey(server.secretKey))
        try router.set(.zapDomain("t"))
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        func dealer(_ keys: CurveKeyPair) throws -> Socket {
            let socket = try Socket(context: context, type: .dealer)
            try socket.set(.linger(milliseconds: 0))
            try socket.set(.curveServerKey(server.publicKey))
            try socket.set(.curvePublicKey(keys.publicKey))
            try socket.set(.curveSecretKey(keys.secretKey))
            try socket.connect(endpoint)
            return socket
        }
        let known = try dealer(client)
        defer { known.close() }
        let unknown = try dealer(stranger)
        defer { unknown.close() }
        try known.send([Array("from alice".utf8)])
        try unknown.send([Array("from mallory".utf8)])

        var seen = [ZAPRequest]()
        var received = [ReceivedMessage]()
        let deadline = Date().addingTimeInterval(5)
        var poller = Poller()
        poller.add(zap.socket)
        poller.add(router)
        while received.isEmpty && Date() < deadline {
            let ready = try poller.poll(timeoutMilliseconds: 100)
            if ready[0] {
                try zap.serve { request in
                    seen.append(request)
                    return Z85.encode(request.credentials.first ?? []) == client.publicKey
                        ? .accept(userID: "alice") : .refuse(reason: "unknown key")
                }
            }
            if ready[1], let message = try router.receive(wait: false, properties: ["User-Id"]) {
                received.append(message)
            }
        }
        // Give the refused one a moment to show that it never arrives.
        usleep(200_000)
        while let message = try router.receive(wait: false, properties: ["User-Id"]) { received.append(message) }

        #expect(seen.contains { $0.mechanism == "CURVE" && $0.credentials.first?.count == 32 })
        #expect(received.count == 1)
        #expect(received.first?.userID == "alice")
        #expect(received.first?.frames.last == Array("from alice".utf8))
    }
}
