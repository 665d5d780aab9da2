// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The socket monitor over real libzmq sockets on loopback with wildcard ports.
@Suite struct SocketMonitorTests {
    @Test func next_whenASubscriberConnectsToAPublisher_reportsConnectedThenHandshakeSucceeded() throws {
        let context = try Context()
        defer { context.terminate() }
        let publisher = try Socket(context: context, type: .pub)
        defer { publisher.close() }
        try publisher.set(.linger(milliseconds: 0))
        try publisher.bind("tcp://127.0.0.1:*")
        let endpoint = try publisher.lastEndpoint()
        let subscriber = try Socket(context: context, type: .sub)
        defer { subscriber.close() }
        try subscriber.set(.linger(milliseconds: 0))

        let monitor = try SocketMonitor(watching: subscriber, context: context,
                                        events: [.connected, .handshakeSucceeded])
        defer { monitor.close() }
        try subscriber.connect(endpoint)
        let first = try monitor.next(timeoutMilliseconds: 5000)
        let second = try monitor.next(timeoutMilliseconds: 5000)

        #expect(first?.kind == .connected)
        #expect(first?.endpoint == endpoint)
        #expect(second?.kind == .handshakeSucceeded)
        #expect(second?.endpoint == endpoint)
    }

    @Test func next_whenNothingListens_reportsNoHandshakeWithinTheWait() throws {
        let context = try Context()
        defer { context.terminate() }
        // An ipc path in a folder of its own: a loopback port given back could be bound again by
        // a test running beside this one, whose handshake the monitor would then report.
        let folder = try TemporaryDirectory()
        let endpoint = "ipc://" + folder.file("nobody.sock")
        let subscriber = try Socket(context: context, type: .sub)
        defer { subscriber.close() }
        try subscriber.set(.linger(milliseconds: 0))

        let monitor = try SocketMonitor(watching: subscriber, context: context, events: SocketEvents.handshake)
        defer { monitor.close() }
        try subscriber.connect(endpoint)

        #expect(try monitor.next(timeoutMilliseconds: 300) == nil)
    }

    @Test func close_afterTheWatchedSocketClosed_andTwice_isHarmless() throws {
        let context = try Context()
        defer { context.terminate() }
        let subscriber = try Socket(context: context, type: .sub)
        let monitor = try SocketMonitor(watching: subscriber, context: context, events: SocketEvents.handshake)

        subscriber.close()
        monitor.close()
        monitor.close()

        #expect(!subscriber.isOpen)
    }

    @Test func event_readsTheNumberTheValueAndTheEndpoint() {
        // libzmq's first frame: a 16-bit event number and a 32-bit value, in the machine's order.
        var first = withUnsafeBytes(of: UInt16(0x4000)) { Array($0) }
        first += withUnsafeBytes(of: UInt32(400)) { Array($0) }

        let event = SocketMonitor.event(from: [first, Array("tcp://127.0.0.1:7401".utf8)])

        #expect(event == SocketEvent(kind: .handshakeFailedAuth, value: 400, endpoint: "tcp://127.0.0.1:7401"))
    }

    @Test func event_whenTheFramesAreNotAnEvent_isNil() {
        #expect(SocketMonitor.event(from: [[1, 2, 3]]) == nil)
        #expect(SocketMonitor.event(from: [[1, 2, 3], []]) == nil)
    }
}
