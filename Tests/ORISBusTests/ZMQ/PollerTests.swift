// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import ORISBus

/// Waiting on several sockets and plain descriptors at once.
@Suite struct PollerTests {
    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func poll_whenNothingIsQueued_reportsNoSocketReady() throws {
        let context = try Context()
        defer { context.terminate() }
        let a = try Socket(context: context, type: .pair)
        defer { a.close() }
        let b = try Socket(context: context, type: .pair)
        defer { b.close() }
        try a.bind("inproc://poller-idle-a")
        try b.bind("inproc://poller-idle-b")
        var poller = Poller()
        poller.add(a)
        poller.add(b)

        let ready = try poller.poll(timeoutMilliseconds: 0)

        #expect(ready == [false, false])
    }

    @Test func poll_whenOneSocketHasAMessage_flagsOnlyThatSocket() throws {
        let context = try Context()
        defer { context.terminate() }
        let quiet = try Socket(context: context, type: .pair)
        defer { quiet.close() }
        let busy = try Socket(context: context, type: .pair)
        defer { busy.close() }
        let sender = try Socket(context: context, type: .pair)
        defer { sender.close() }
        try quiet.bind("inproc://poller-quiet")
        try busy.bind("inproc://poller-busy")
        try sender.connect("inproc://poller-busy")
        var poller = Poller()
        let quietIndex = poller.add(quiet)
        let busyIndex = poller.add(busy)

        try sender.send([Self.bytes("wake up")])
        let ready = try poller.poll(timeoutMilliseconds: 2000)

        #expect(quietIndex == 0)
        #expect(busyIndex == 1)
        #expect(ready == [false, true])
    }

    @Test func poll_afterTheMessageIsReceived_reportsTheSocketIdleAgain() throws {
        let context = try Context()
        defer { context.terminate() }
        let receiver = try Socket(context: context, type: .pair)
        defer { receiver.close() }
        let sender = try Socket(context: context, type: .pair)
        defer { sender.close() }
        try receiver.bind("inproc://poller-drain")
        try sender.connect("inproc://poller-drain")
        var poller = Poller()
        poller.add(receiver)
        try sender.send([Self.bytes("once")])
        #expect(try poller.poll(timeoutMilliseconds: 2000) == [true])

        _ = try receiver.receive(wait: false)
        let ready = try poller.poll(timeoutMilliseconds: 0)

        #expect(ready == [false])
    }

    @Test func poll_whenAFileDescriptorIsReadable_flagsTheDescriptor() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        defer { socket.close() }
        try socket.bind("inproc://poller-fd")
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        var poller = Poller()
        poller.add(socket)
        let fdIndex = poller.add(fileDescriptor: fds[0])
        #expect(try poller.poll(timeoutMilliseconds: 0) == [false, false])

        var byte: UInt8 = 1
        #expect(write(fds[1], &byte, 1) == 1)
        let ready = try poller.poll(timeoutMilliseconds: 2000)

        #expect(fdIndex == 1)
        #expect(ready == [false, true])
    }

    @Test func poll_whenNothingArrives_waitsAboutTheTimeoutInMilliseconds() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        defer { socket.close() }
        try socket.bind("inproc://poller-timeout")
        var poller = Poller()
        poller.add(socket)
        let clock = ContinuousClock()

        let started = clock.now
        let ready = try poller.poll(timeoutMilliseconds: 100)
        let waited = clock.now - started

        #expect(ready == [false])
        #expect(waited >= .milliseconds(90))
        #expect(waited < .seconds(5))
    }

    @Test func poll_whenASocketIsClosed_throwsENOTSOCK() throws {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pair)
        var poller = Poller()
        poller.add(socket)
        socket.close()

        #expect(throws: ZMQError(call: "zmq_poll", errno: ENOTSOCK)) {
            _ = try poller.poll(timeoutMilliseconds: 0)
        }
    }
}
