// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The libzmq context: making, terminating, and the linked version.
@Suite struct ContextTests {
    @Test func terminate_whenCalledTwice_returnsBothTimes() throws {
        let context = try Context()

        context.terminate()
        context.terminate()
    }

    @Test func terminate_afterEverySocketIsClosed_returnsEvenWithUnsentMessages() throws {
        let context = try Context()
        let dealer = try Socket(context: context, type: .dealer)
        // Nobody ever binds this name, so the message stays queued.
        try dealer.connect("inproc://context-nobody-listens")
        _ = try dealer.send([Array("never delivered".utf8)], wait: false)
        dealer.close()

        // BLOCKY is off, so the unsent message does not hold the context open.
        context.terminate()
    }

    @Test func contexts_haveSeparateInprocNamespaces() throws {
        let first = try Context()
        defer { first.terminate() }
        let second = try Context()
        defer { second.terminate() }
        let a = try Socket(context: first, type: .pair)
        defer { a.close() }
        let b = try Socket(context: second, type: .pair)
        defer { b.close() }

        try a.bind("inproc://context-shared-name")
        try b.bind("inproc://context-shared-name")
    }

    @Test func libraryVersion_isThreeNumbersFromMajorVersionFour() {
        let parts = Context.libraryVersion.split(separator: ".").compactMap { Int($0) }

        #expect(parts.count == 3)
        #expect(parts.first.map { $0 >= 4 } == true)
    }
}
