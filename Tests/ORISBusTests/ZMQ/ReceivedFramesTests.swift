// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Frames received into kept `zmq_msg_t`s and read in place (the ingest loop's receive), against
/// what ``Socket/receive(into:wait:properties:maximumFrames:)`` gives for the same messages.
@Suite struct ReceivedFramesTests {
    /// The same messages through both receives, each over its own inproc pair.
    @Test func frames_readInPlace_andCopied_areWhatTheCopyingReceiveGives() throws {
        let context = try Context()
        defer { context.terminate() }
        var pairs: [(Socket, Socket)] = []
        for name in ["frames-in-place", "frames-copied"] {
            let server = try Socket(context: context, type: .pair)
            let client = try Socket(context: context, type: .pair)
            try server.bind("inproc://" + name)
            try client.connect("inproc://" + name)
            pairs.append((server, client))
        }
        defer {
            for (server, client) in pairs {
                server.close()
                client.close()
            }
        }
        let large = [UInt8](repeating: 0x41, count: 5000)
        let messages: [[[UInt8]]] = [
            [Array("ORIS01".utf8), Array("PUBLISH".utf8), Array("{}".utf8), large],
            [[], [1], []],
            (0..<10).map { [UInt8($0)] },
            [[9, 9]],
            [[1], [2], [3]],
            [[1], [2], [3], [4]],
        ]
        let frames = ReceivedFrames(capacity: 3)
        var copied = ReceivedMessage(frames: [[7, 7, 7], [8]])
        var expected = ReceivedMessage(frames: [])

        for message in messages {
            for (_, client) in pairs { _ = try client.send(message) }
            let inPlace = try frames.receive(from: pairs[0].0, wait: true)
            let kept = (0..<frames.count).map { Array(frames.frame($0)) }
            frames.copy(into: &copied)
            let byCopy = try pairs[1].0.receive(into: &expected, wait: true, maximumFrames: 3)

            #expect(inPlace && byCopy)
            #expect(frames.received == message.count)
            #expect(kept == Array(message.prefix(3)))
            #expect(copied.frames == expected.frames, "\(message.count) frames")
            #expect(frames.userID == nil)
        }
        #expect(frames.frame(0, is: [1]) && !frames.frame(0, is: [1, 0]) && !frames.frame(1, is: [1]))
        // Nothing queued: false, and the last message's frames stay.
        #expect(try !frames.receive(from: pairs[0].0, wait: false))
        #expect(frames.count == 3 && Array(frames.frame(2)) == [3])
    }
}

extension ReceivedFrames {
    /// ``Socket/receive(into:wait:)`` for a test's socket.
    fileprivate func receive(from socket: Socket, wait: Bool) throws -> Bool {
        try socket.receive(into: self, wait: wait)
    }
}
