// SPDX-License-Identifier: Apache-2.0

/// The frames a client sends after its routing envelope, read into a command.
///
/// Every request starts with the protocol signature frame ``signature`` and a command word;
/// docs/PROTOCOL.md gives the grammar.
package enum Request: Sendable, Equatable {
    /// `HELLO`: who am I, and is the daemon there?
    case hello
    /// `PUBLISH header body`: publish one item and wait for its ACK or NAK.
    case publish(header: [UInt8], body: [UInt8])
    /// `STATS`: the daemon's counters.
    case stats
    /// `REPLAY arguments`: a page of stored items (arguments: a JSON object).
    case replay(arguments: [UInt8])
    /// `AUDIT arguments`: a page of the audit trail (arguments: a JSON object).
    case audit(arguments: [UInt8])
    /// `MEMBER arguments`: add, remove, list or show members (arguments: a JSON object).
    case member(arguments: [UInt8])
    /// `ESCALATE arguments`: a GIP member sends an item on to the CRPS (`{"id":…,"note":…}`).
    case escalate(arguments: [UInt8])
    /// `EXPLAIN arguments`: why a member does or does not receive a topic.
    case explain(arguments: [UInt8])
    /// `TRACE arguments`: where an item went and why.
    case trace(arguments: [UInt8])
    /// `THEME`: create, change, list and show themes and their dashboards.
    case theme(arguments: [UInt8])

    /// The first frame of every request and reply: protocol ORIS, version 01.
    package static let signature: [UInt8] = Array("ORIS01".utf8)
    static let publishCommand: [UInt8] = Array("PUBLISH".utf8)

    /// Reads a request.
    ///
    /// - Parameters:
    ///   - frames: the frames after the routing envelope.
    ///   - count: how many frames the request had, when the receive kept fewer than that
    ///     (``ReceivedMessage/receivedFrameCount``): an error about the count tells this one.
    /// - Throws: ``Rejection`` with `bad-protocol`, `bad-command` or `bad-frames`.
    package static func parse(_ frames: ArraySlice<[UInt8]>, count: Int? = nil) throws(Rejection) -> Request {
        let count = count ?? frames.count
        guard let first = frames.first, first == self.signature else {
            throw Rejection(.badProtocol, "the first frame must be the signature 'ORIS01'")
        }
        guard frames.count >= 2 else {
            throw Rejection(.badFrames, "a request needs a command frame after the signature")
        }
        let command = frames[frames.startIndex + 1]
        let arguments = frames.count - 2
        // Nearly every request is a publish: its command is matched as bytes, with no string made.
        if arguments == 2, command == Self.publishCommand {
            return .publish(header: frames[frames.startIndex + 2], body: frames[frames.startIndex + 3])
        }
        switch String(decoding: command, as: UTF8.self) {
        case "PUBLISH":
            guard arguments == 2 else {
                throw Rejection(.badFrames,
                                "PUBLISH takes 4 frames (signature, command, header, body), not \(count)")
            }
            return .publish(header: frames[frames.startIndex + 2], body: frames[frames.startIndex + 3])
        case "HELLO":
            guard arguments == 0 else {
                throw Rejection(.badFrames, "HELLO takes 2 frames (signature, command), not \(count)")
            }
            return .hello
        case "STATS":
            guard arguments == 0 else {
                throw Rejection(.badFrames, "STATS takes 2 frames (signature, command), not \(count)")
            }
            return .stats
        case let word where ["REPLAY", "AUDIT", "MEMBER", "ESCALATE", "EXPLAIN", "TRACE", "THEME"].contains(word):
            guard arguments == 1 else {
                throw Rejection(.badFrames, "\(word) takes 3 frames (signature, command, arguments), "
                                + "not \(count)")
            }
            let argument = frames[frames.startIndex + 2]
            switch word {
            case "REPLAY": return .replay(arguments: argument)
            case "AUDIT": return .audit(arguments: argument)
            case "ESCALATE": return .escalate(arguments: argument)
            case "EXPLAIN": return .explain(arguments: argument)
            case "TRACE": return .trace(arguments: argument)
            case "THEME": return .theme(arguments: argument)
            default: return .member(arguments: argument)
            }
        default:
            let word = String(decoding: command.prefix(32), as: UTF8.self)
            throw Rejection(.badCommand,
                            "unknown command '\(word)' (known: AUDIT, ESCALATE, EXPLAIN, HELLO, MEMBER, PUBLISH, "
                            + "REPLAY, STATS, THEME, TRACE)")
        }
    }

    /// The frames of this request, for clients.
    package var frames: [[UInt8]] {
        switch self {
        case .hello: return [Self.signature, Array("HELLO".utf8)]
        case .publish(let header, let body): return [Self.signature, Array("PUBLISH".utf8), header, body]
        case .stats: return [Self.signature, Array("STATS".utf8)]
        case .replay(let arguments): return [Self.signature, Array("REPLAY".utf8), arguments]
        case .audit(let arguments): return [Self.signature, Array("AUDIT".utf8), arguments]
        case .member(let arguments): return [Self.signature, Array("MEMBER".utf8), arguments]
        case .escalate(let arguments): return [Self.signature, Array("ESCALATE".utf8), arguments]
        case .explain(let arguments): return [Self.signature, Array("EXPLAIN".utf8), arguments]
        case .trace(let arguments): return [Self.signature, Array("TRACE".utf8), arguments]
        case .theme(let arguments): return [Self.signature, Array("THEME".utf8), arguments]
        }
    }
}

/// A reply on the api endpoint: signature, word, one JSON object, and for `REPLAY` the items
/// (three frames each: topic, header, body).
package struct Reply: Sendable, Equatable {
    /// `ACK`, `NAK`, `WELCOME`, `STATS`, `REPLAY`, `AUDIT` or `MEMBER`.
    package var word: String
    package var body: JSONObject
    /// Frames after the body: a REPLAY's items.
    package var items: [[UInt8]]
    /// The body already encoded, sent instead of ``body`` (then empty): an ACK on the api
    /// endpoint is written straight to bytes.
    private var encodedBody: [UInt8]?

    package init(word: String, body: JSONObject, items: [[UInt8]] = []) {
        self.word = word
        self.body = body
        self.items = items
    }

    /// A reply whose body is already encoded.
    package init(word: String, encodedBody: [UInt8]) {
        self.init(word: word, body: JSONObject())
        self.encodedBody = encodedBody
    }

    /// A NAK for a rejection.
    package static func nak(_ rejection: Rejection) -> Reply {
        var body = JSONObject()
        body["code"] = .string(rejection.code.word)
        body["message"] = .string(rejection.message)
        if let id = rejection.id { body["id"] = .string(id) }
        return Reply(word: "NAK", body: body)
    }

    /// The frames, without the routing envelope.
    package var frames: [[UInt8]] {
        [Request.signature, Array(self.word.utf8), self.encodedBody ?? JSONWriter.encode(.object(self.body))]
            + self.items
    }

    /// Reads a reply's frames.
    ///
    /// - Returns: nil when they are not a reply of this protocol.
    package init?(frames: [[UInt8]]) {
        guard frames.count >= 3, (frames.count - 3) % 3 == 0, frames[0] == Request.signature,
              case .object(let body)? = try? JSONParser.parse(frames[2])
        else { return nil }
        self.word = String(decoding: frames[1], as: UTF8.self)
        self.body = body
        self.items = Array(frames.dropFirst(3))
    }
}
