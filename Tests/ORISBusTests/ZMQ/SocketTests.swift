// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
// The ZMQ layer's tests may name libzmq's own constants (ETERM is defined by zmq.h).
import CZMQ
import Testing
@testable import ORISBus

/// The socket wrapper over real libzmq sockets, on inproc, ipc in a temporary folder, or loopback
/// with a wildcard port.
@Suite struct SocketTests {
    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    // MARK: - Round trips

    @Test func sendAndReceive_overInprocPair_keepsEveryFrameIncludingEmptyOnes() throws {
        let context = try Context()
        defer { context.terminate() }
        let server = try Socket(context: context, type: .pair)
        defer { server.close() }
        let client = try Socket(context: context, type: .pair)
        defer { client.close() }
        try server.bind("inproc://socket-pair")
        try client.connect("inproc://socket-pair")
        try server.set(.receiveTimeout(milliseconds: 2000))
        let frames: [[UInt8]] = [Self.bytes("first"), [], [0, 1, 2, 255], []]

        let queued = try client.send(frames)
        let message = try server.receive()
        // The three-frame form the feed uses makes no array of frames, and sends the same message.
        let three = try frames[0].withUnsafeBytes { first in
            try frames[1].withUnsafeBytes { second in
                try frames[2].withUnsafeBytes { third in try client.send(first, second, third, wait: false) }
            }
        }
        let threeMessage = try server.receive()

        #expect(queued)
        #expect(message?.frames == frames)
        #expect(three)
        #expect(threeMessage?.frames == Array(frames.prefix(3)))
    }

    @Test func sendAndReceive_overInprocPair_carriesALargeFrameIntact() throws {
        let context = try Context()
        defer { context.terminate() }
        let server = try Socket(context: context, type: .pair)
        defer { server.close() }
        let client = try Socket(context: context, type: .pair)
        defer { client.close() }
        try server.bind("inproc://socket-large")
        try client.connect("inproc://socket-large")
        try server.set(.receiveTimeout(milliseconds: 2000))
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }

        try client.send([big])
        let message = try server.receive()

        #expect(message?.frames.count == 1)
        #expect(message?.frames.first == big)
    }

    @Test func routerAndDealer_overInproc_routeByIdentityBothWays() throws {
        let context = try Context()
        defer { context.terminate() }
        let router = try Socket(context: context, type: .router)
        defer { router.close() }
        let dealer = try Socket(context: context, type: .dealer)
        defer { dealer.close() }
        try router.bind("inproc://socket-router")
        try dealer.set(.routingID(Self.bytes("d1")))
        try dealer.connect("inproc://socket-router")
        try router.set(.receiveTimeout(milliseconds: 2000))
        try dealer.set(.receiveTimeout(milliseconds: 2000))

        try dealer.send([[], Self.bytes("ping")])
        let request = try router.receive()
        try router.send([Self.bytes("d1"), Self.bytes("pong"), []])
        let reply = try dealer.receive()

        #expect(request?.frames == [Self.bytes("d1"), [], Self.bytes("ping")])
        #expect(reply?.frames == [Self.bytes("pong"), []])
    }

    @Test func sendAndReceive_overIPCInTemporaryFolder_roundTrips() throws {
        let folder = try TemporaryDirectory()
        let endpoint = "ipc://" + folder.file("pair.sock")
        let context = try Context()
        defer { context.terminate() }
        let server = try Socket(context: context, type: .pair)
        defer { server.close() }
        let client = try Socket(context: context, type: .pair)
        defer { client.close() }
        try server.set(.receiveTimeout(milliseconds: 2000))

        try server.bind(endpoint)
        try client.connect(endpoint)
        try client.send([Self.bytes("over ipc"), []])
        let message = try server.receive()

        #expect(try server.lastEndpoint() == endpoint)
        #expect(message?.frames == [Self.bytes("over ipc"), []])
    }

    // MARK: - One message received into again and again

    @Test func receiveInto_forMessagesOfEveryShape_givesEachItsOwnFramesAndProperties() throws {
        let context = try Context()
        defer { context.terminate() }
        let router = try Socket(context: context, type: .router)
        defer { router.close() }
        let dealer = try Socket(context: context, type: .dealer)
        defer { dealer.close() }
        let requester = try Socket(context: context, type: .req)
        defer { requester.close() }
        let server = try Socket(context: context, type: .pair)
        defer { server.close() }
        let client = try Socket(context: context, type: .pair)
        defer { client.close() }
        try router.bind("tcp://127.0.0.1:*")
        try dealer.connect(try router.lastEndpoint())
        try requester.connect(try router.lastEndpoint())
        try server.bind("inproc://socket-into")
        try client.connect("inproc://socket-into")
        try router.set(.receiveTimeout(milliseconds: 2000))
        try server.set(.receiveTimeout(milliseconds: 2000))
        let names = ["Socket-Type", ReceivedMessage.userIDProperty]
        let large = [UInt8](repeating: 7, count: 300)
        var message = ReceivedMessage(frames: [])

        // Three frames, then two from another kind of peer (a REQ adds an empty delimiter), then
        // five, cut by the limit to the routing id, two frames and an empty one, then one over
        // inproc, where a peer has no properties. Copies kept in between must not change.
        try dealer.send([Self.bytes("first"), [], large])
        let first = try router.receive(into: &message, properties: names)
        let fromDealer = message
        try requester.send([Self.bytes("x")])
        let second = try router.receive(into: &message, properties: names)
        let fromRequester = message
        try dealer.send([[1], [2], [3], [4], [5]])
        let third = try router.receive(into: &message, properties: names, maximumFrames: 3)
        let cut = message
        try client.send([Self.bytes("over inproc")])
        let fourth = try server.receive(into: &message, properties: names)

        #expect(first && second && third && fourth)
        #expect(Array(fromDealer.frames.dropFirst()) == [Self.bytes("first"), [], large])
        #expect(fromDealer.properties == ["Socket-Type": "DEALER"])
        #expect(fromDealer.userID == nil)
        #expect(Array(fromRequester.frames.dropFirst()) == [[], Self.bytes("x")])
        #expect(fromRequester.property("Socket-Type") == "REQ")
        #expect(Array(cut.frames.dropFirst()) == [[1], [2], []])
        // The routing id and the five frames sent: six, of which four were kept.
        #expect(cut.receivedFrameCount == 6)
        #expect(fromDealer.receivedFrameCount == fromDealer.frames.count)
        #expect(cut.properties == ["Socket-Type": "DEALER"])
        #expect(message.frames == [Self.bytes("over inproc")])
        #expect(message.properties.isEmpty)
        #expect(message.property("Socket-Type") == nil)
    }

    @Test func receiveInto_whenNothingIsQueued_leavesTheMessageAsItWas() throws {
        let context = try Context()
        defer { context.terminate() }
        let server = try Socket(context: context, type: .pair)
        defer { server.close() }
        try server.bind("inproc://socket-into-empty")
        var message = ReceivedMessage(frames: [[1, 2]], properties: ["User-Id": "alice"])

        let received = try server.receive(into: &message, wait: false, properties: ["User-Id"])

        #expect(!received)
        #expect(message.frames == [[1, 2]])
        #expect(message.userID == "alice")
    }

    // MARK: - Nothing to do

    @Test func receive_whenNotWaitingOnAnEmptySocket_returnsNil() throws {
        let context = try Context()
        defer { context.terminate() }
        let server = try Socket(context: context, type: .pair)
        defer { server.close() }
        try server.bind("inproc://socket-empty")

        let message = try server.receive(wait: false)

        #expect(message == nil)
    }

    @Test func receive_whenTimeoutPassesWithNothingQueued_returnsNil() throws {
        let context = try Context()
        defer { context.terminate() }
        let server = try Socket(context: context, type: .pair)
        defer { server.close() }
        try server.bind("inproc://socket-timeout")
        try server.set(.receiveTimeout(milliseconds: 20))

        let message = try server.receive()

        #expect(message == nil)
    }

    @Test func send_whenNotWaitingAndDealerHasNoPeer_returnsFalse() throws {
        let context = try Context()
        defer { context.terminate() }
        let dealer = try Socket(context: context, type: .dealer)
        defer { dealer.close() }

        let queued = try dealer.send([Self.bytes("nobody")], wait: false)

        #expect(queued == false)
    }

    // MARK: - Endpoints

    @Test func lastEndpoint_afterBindingLoopbackWildcard_givesARealPortThatAcceptsConnections() throws {
        let context = try Context()
        defer { context.terminate() }
        let server = try Socket(context: context, type: .pair)
        defer { server.close() }
        let client = try Socket(context: context, type: .pair)
        defer { client.close() }
        try server.set(.receiveTimeout(milliseconds: 2000))

        try server.bind("tcp://127.0.0.1:*")
        let endpoint = try server.lastEndpoint()

        let prefix = "tcp://127.0.0.1:"
        #expect(endpoint.hasPrefix(prefix))
        let port = Int(endpoint.dropFirst(prefix.count))
        #expect(port != nil)
        #expect((1...65535).contains(port ?? 0))
        try client.connect(endpoint)
        try client.send([Self.bytes("hello over tcp")])
        #expect(try server.receive()?.frames == [Self.bytes("hello over tcp")])
    }

    @Test func lastEndpoint_beforeAnyBind_isEmpty() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        defer { socket.close() }

        #expect(try socket.lastEndpoint() == "")
    }

    @Test func bind_whenTCPHasNoPort_throwsEINVAL() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        defer { socket.close() }

        #expect(throws: ZMQError(call: "zmq_bind", errno: EINVAL, subject: "tcp://nohost")) {
            try socket.bind("tcp://nohost")
        }
    }

    @Test func connect_whenTCPHasNoPort_throwsEINVAL() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        defer { socket.close() }

        #expect(throws: ZMQError(call: "zmq_connect", errno: EINVAL, subject: "tcp://nohost")) {
            try socket.connect("tcp://nohost")
        }
    }

    @Test func bind_whenTransportIsUnknown_throwsEPROTONOSUPPORT() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        defer { socket.close() }

        #expect(throws: ZMQError(call: "zmq_bind", errno: EPROTONOSUPPORT, subject: "foo://x")) {
            try socket.bind("foo://x")
        }
    }

    @Test func connect_whenTransportIsUnknown_throwsEPROTONOSUPPORT() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        defer { socket.close() }

        #expect(throws: ZMQError(call: "zmq_connect", errno: EPROTONOSUPPORT, subject: "foo://x")) {
            try socket.connect("foo://x")
        }
    }

    @Test func bind_whenEndpointHasNoTransport_throwsEINVAL() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        defer { socket.close() }

        #expect(throws: ZMQError(call: "zmq_bind", errno: EINVAL, subject: "127.0.0.1:5555")) {
            try socket.bind("127.0.0.1:5555")
        }
    }

    @Test func bind_whenLoopbackPortIsTaken_throwsEADDRINUSE() throws {
        let context = try Context()
        defer { context.terminate() }
        let first = try Socket(context: context, type: .pair)
        defer { first.close() }
        let second = try Socket(context: context, type: .pair)
        defer { second.close() }
        try first.bind("tcp://127.0.0.1:*")
        let endpoint = try first.lastEndpoint()

        #expect(throws: ZMQError(call: "zmq_bind", errno: EADDRINUSE, subject: endpoint)) {
            try second.bind(endpoint)
        }
    }

    @Test func bind_whenInprocNameIsTaken_throwsEADDRINUSE() throws {
        let context = try Context()
        defer { context.terminate() }
        let first = try Socket(context: context, type: .pair)
        defer { first.close() }
        let second = try Socket(context: context, type: .pair)
        defer { second.close() }
        try first.bind("inproc://socket-taken")

        #expect(throws: ZMQError(call: "zmq_bind", errno: EADDRINUSE, subject: "inproc://socket-taken")) {
            try second.bind("inproc://socket-taken")
        }
    }

    // MARK: - Options

    @Test func set_whenSocketTypeDoesNotTakeTheOption_throwsEINVALNamingTheOption() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        defer { socket.close() }

        #expect(throws: ZMQError(call: "zmq_setsockopt", errno: EINVAL, subject: "ZMQ_SUBSCRIBE")) {
            try socket.set(.subscribe(Self.bytes("bfc/")))
        }
    }

    @Test func set_whenOptionSuitsTheSocket_succeeds() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .sub)
        defer { socket.close() }

        try socket.set(.subscribe(Self.bytes("bfc/")))
        try socket.set(.linger(milliseconds: 0))
        try socket.set(.receiveHighWaterMark(10))
        try socket.set(.maxMessageSize(bytes: 1 << 20))
    }

    // MARK: - Closed sockets and contexts

    @Test func calls_whenSocketIsClosed_throwENOTSOCK() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .dealer)
        socket.close()

        #expect(socket.isOpen == false)
        #expect(throws: ZMQError(call: "zmq_bind", errno: ENOTSOCK)) {
            try socket.bind("inproc://socket-closed")
        }
        #expect(throws: ZMQError(call: "zmq_connect", errno: ENOTSOCK)) {
            try socket.connect("inproc://socket-closed")
        }
        #expect(throws: ZMQError(call: "zmq_setsockopt", errno: ENOTSOCK)) {
            try socket.set(.linger(milliseconds: 0))
        }
        #expect(throws: ZMQError(call: "zmq_send", errno: ENOTSOCK)) {
            try socket.send([Self.bytes("x")])
        }
        #expect(throws: ZMQError(call: "zmq_msg_recv", errno: ENOTSOCK)) {
            _ = try socket.receive(wait: false)
        }
        #expect(throws: ZMQError(call: "zmq_getsockopt", errno: ENOTSOCK)) {
            _ = try socket.lastEndpoint()
        }
    }

    @Test func close_whenCalledTwice_leavesTheSocketClosed() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        #expect(socket.isOpen)

        socket.close()
        socket.close()

        #expect(socket.isOpen == false)
    }

    @Test func init_whenContextIsTerminated_throwsETERM() throws {
        let context = try Context()
        context.terminate()

        do {
            let socket = try Socket(context: context, type: .pair)
            socket.close()
            Issue.record("a socket was made on a terminated context")
        } catch {
            #expect(error.errno == ETERM)
            #expect(error.call == "zmq_socket")
            #expect(error.isTerminated)
        }
    }
}
