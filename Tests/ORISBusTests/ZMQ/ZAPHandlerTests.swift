// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import ORISBus

/// The ZAP handler answering libzmq's authentication requests (ZeroMQ RFC 27).
@Suite struct ZAPHandlerTests {
    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A ROUTER with PLAIN on loopback, a DEALER client, and the handler, all in one context.
    private final class PlainSetup {
        let context: Context
        let zap: ZAPHandler
        let server: Socket
        let client: Socket

        init(username: String) throws {
            self.context = try Context()
            // The handler must be bound before any server socket that needs it.
            self.zap = try ZAPHandler(context: self.context)
            self.server = try Socket(context: self.context, type: .router)
            self.client = try Socket(context: self.context, type: .dealer)
            do {
                try self.server.set(.linger(milliseconds: 0))
                try self.server.set(.plainServer(true))
                try self.server.set(.zapDomain("t"))
                try self.server.bind("tcp://127.0.0.1:*")
                try self.client.set(.linger(milliseconds: 0))
                try self.client.set(.plainUsername(username))
                try self.client.set(.plainPassword("secret"))
                try self.client.connect(try self.server.lastEndpoint())
            } catch {
                self.close()
                throw error
            }
        }

        /// Serves ZAP requests until the server has a message or the time is up.
        func pump(
            milliseconds: Int,
            decide: (ZAPRequest) -> ZAPDecision
        ) throws -> ReceivedMessage? {
            var poller = Poller()
            poller.add(self.zap.socket)
            poller.add(self.server)
            let clock = ContinuousClock()
            let deadline = clock.now + .milliseconds(milliseconds)
            while clock.now < deadline {
                let ready = try poller.poll(timeoutMilliseconds: 20)
                if ready[0] {
                    try self.zap.serve(decide)
                }
                if ready[1] {
                    return try self.server.receive(wait: false, properties: [ReceivedMessage.userIDProperty])
                }
            }
            return nil
        }

        func close() {
            self.client.close()
            self.server.close()
            self.zap.close()
            self.context.terminate()
        }
    }

    /// The ingest loop's frames read the `User-Id` through a C string of their own; both
    /// messages of one connection carry the id the handler gave it.
    @Test func receivedFrames_readTheUserIDTheHandlerGave() throws {
        let setup = try PlainSetup(username: "carol")
        defer { setup.close() }
        try setup.client.send([Self.bytes("one")])
        try setup.client.send([Self.bytes("two")])
        let frames = ReceivedFrames(capacity: 4)
        var bodies = [[UInt8]]()
        var userIDs = [String?]()
        var poller = Poller()
        poller.add(setup.zap.socket)
        poller.add(setup.server)
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(5000)
        while bodies.count < 2, clock.now < deadline {
            let ready = try poller.poll(timeoutMilliseconds: 20)
            if ready[0] { try setup.zap.serve { _ in .accept(userID: "carol-id") } }
            while ready[1], try setup.server.receive(into: frames, wait: false) {
                bodies.append(Array(frames.frame(frames.count - 1)))
                userIDs.append(frames.userID)
            }
        }

        #expect(bodies == [Self.bytes("one"), Self.bytes("two")])
        #expect(userIDs == ["carol-id", "carol-id"])
        #expect(String(cString: ReceivedMessage.userIDPropertyName) == ReceivedMessage.userIDProperty)
    }

    @Test func serve_whenPlainUserIsAccepted_deliversTheMessageWithTheUserID() throws {
        let setup = try PlainSetup(username: "alice")
        defer { setup.close() }
        var requests = [ZAPRequest]()

        try setup.client.send([Self.bytes("hello")])
        let message = try setup.pump(milliseconds: 5000) { request in
            requests.append(request)
            let user = request.credentials.first.map { String(decoding: $0, as: UTF8.self) }
            return user == "alice" ? .accept(userID: "alice") : .refuse(reason: "unknown user")
        }

        #expect(message?.frames.count == 2)
        #expect(message?.frames.last == Self.bytes("hello"))
        #expect(message?.properties["User-Id"] == "alice")
        #expect(message?.userID == "alice")
        #expect(requests.first?.domain == "t")
        #expect(requests.first?.mechanism == "PLAIN")
        #expect(requests.first?.address == "127.0.0.1")
        #expect(requests.first?.credentials == [Self.bytes("alice"), Self.bytes("secret")])
    }

    @Test func serve_whenPlainUserIsRefused_neverLetsAMessageThrough() throws {
        let setup = try PlainSetup(username: "mallory")
        defer { setup.close() }
        var asked = 0

        try setup.client.send([Self.bytes("let me in")])
        let message = try setup.pump(milliseconds: 600) { _ in
            asked += 1
            return .refuse(reason: "unknown user")
        }

        #expect(message == nil)
        #expect(asked >= 1)
    }

    @Test func serve_whenRequestIsWellFormed_answersRFC27ReplyWithTheDecision() throws {
        let context = try Context()
        defer { context.terminate() }
        let zap = try ZAPHandler(context: context)
        defer { zap.close() }
        let asker = try Socket(context: context, type: .req)
        defer { asker.close() }
        try asker.set(.receiveTimeout(milliseconds: 2000))
        try asker.connect(ZAPHandler.endpoint)
        var seen: ZAPRequest?

        try asker.send(["1.0", "7", "dom", "127.0.0.1", "", "PLAIN", "bob", "pw"].map(Self.bytes))
        var poller = Poller()
        poller.add(zap.socket)
        #expect(try poller.poll(timeoutMilliseconds: 2000) == [true])
        let answered = try zap.serve { request in
            seen = request
            return .accept(userID: "bob-id")
        }
        let reply = try asker.receive()

        #expect(answered == 1)
        #expect(seen == ZAPRequest(domain: "dom", address: "127.0.0.1", mechanism: "PLAIN",
                                   credentials: [Self.bytes("bob"), Self.bytes("pw")]))
        #expect(reply?.frames == ["1.0", "7", "200", "OK", "bob-id", ""].map(Self.bytes))
    }

    @Test func serve_whenDecisionRefuses_answersStatus400WithTheReasonAndNoUserID() throws {
        let context = try Context()
        defer { context.terminate() }
        let zap = try ZAPHandler(context: context)
        defer { zap.close() }
        let asker = try Socket(context: context, type: .req)
        defer { asker.close() }
        try asker.set(.receiveTimeout(milliseconds: 2000))
        try asker.connect(ZAPHandler.endpoint)

        try asker.send(["1.0", "8", "dom", "", "", "NULL"].map(Self.bytes))
        var poller = Poller()
        poller.add(zap.socket)
        _ = try poller.poll(timeoutMilliseconds: 2000)
        try zap.serve { _ in .refuse(reason: "go away") }
        let reply = try asker.receive()

        #expect(reply?.frames == ["1.0", "8", "400", "go away", "", ""].map(Self.bytes))
    }

    @Test func serve_whenRequestHasTooFewFrames_answersStatus500() throws {
        let context = try Context()
        defer { context.terminate() }
        let zap = try ZAPHandler(context: context)
        defer { zap.close() }
        let asker = try Socket(context: context, type: .req)
        defer { asker.close() }
        try asker.set(.receiveTimeout(milliseconds: 2000))
        try asker.connect(ZAPHandler.endpoint)
        var decided = 0

        try asker.send(["1.0", "9", "dom"].map(Self.bytes))
        var poller = Poller()
        poller.add(zap.socket)
        _ = try poller.poll(timeoutMilliseconds: 2000)
        let answered = try zap.serve { _ in
            decided += 1
            return .accept(userID: "nobody")
        }
        let reply = try asker.receive()

        #expect(answered == 1)
        #expect(decided == 0)
        #expect(reply?.frames.count == 6)
        #expect(reply?.frames.dropFirst(2).first == Self.bytes("500"))
    }

    @Test func serve_whenNothingIsQueued_answersNothing() throws {
        let context = try Context()
        defer { context.terminate() }
        let zap = try ZAPHandler(context: context)
        defer { zap.close() }

        let answered = try zap.serve { _ in .accept(userID: "x") }

        #expect(answered == 0)
    }

    @Test func init_whenAHandlerAlreadyServesTheContext_throwsEADDRINUSE() throws {
        let context = try Context()
        defer { context.terminate() }
        let first = try ZAPHandler(context: context)
        defer { first.close() }

        #expect(throws: ZMQError(call: "zmq_bind", errno: EADDRINUSE, subject: ZAPHandler.endpoint)) {
            let second = try ZAPHandler(context: context)
            second.close()
        }
    }
}
