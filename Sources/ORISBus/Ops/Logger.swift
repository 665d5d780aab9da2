// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// How much a log line matters (the levels of swift-log's guidance).
package enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case trace, debug, info, notice, warning, error

    package var word: String {
        switch self {
        case .trace: return "trace"
        case .debug: return "debug"
        case .info: return "info"
        case .notice: return "notice"
        case .warning: return "warning"
        case .error: return "error"
        }
    }

    package init?(word: String) {
        guard let match = Self.allCases.first(where: { $0.word == word.lowercased() }) else { return nil }
        self = match
    }

    package static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Writes logfmt lines: `ts=… level=… msg="constant phrase" key=value …`, one event a line.
///
/// The message is a constant phrase; values go in fields. The logger is a value handed to
/// whoever logs, never a global.
package struct Logger: Sendable {
    /// The lowest level written.
    package var level: LogLevel
    private let sink: @Sendable (String) -> Void

    /// A logger writing each line to `sink` (which receives the line with its newline).
    package init(level: LogLevel = .info, sink: @escaping @Sendable (String) -> Void) {
        self.level = level
        self.sink = sink
    }

    /// A logger writing to standard error with one `write(2)` per line, so that lines from
    /// several threads never interleave.
    package static func standardError(level: LogLevel = .info) -> Logger {
        Logger(level: level) { line in
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
            bytes.removeAll()
        }
    }

    /// Whether a line at `level` would be written.
    package func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    /// Writes one event.
    ///
    /// - Parameters:
    ///   - level: its level.
    ///   - message: a constant phrase naming the event.
    ///   - fields: its data, in the order given.
    package func log(_ level: LogLevel, _ message: StaticString, _ fields: [(String, String)] = []) {
        guard self.isEnabled(level) else { return }
        var line = "ts=\(Timestamp.now()) level=\(level.word) msg=\(Self.quote(message.description))"
        for (key, value) in fields {
            line += " \(key)=\(Self.quote(value))"
        }
        line += "\n"
        self.sink(line)
    }

    package func trace(_ message: StaticString, _ fields: [(String, String)] = []) { self.log(.trace, message, fields) }
    package func debug(_ message: StaticString, _ fields: [(String, String)] = []) { self.log(.debug, message, fields) }
    package func info(_ message: StaticString, _ fields: [(String, String)] = []) { self.log(.info, message, fields) }
    package func notice(_ message: StaticString, _ fields: [(String, String)] = []) {
        self.log(.notice, message, fields)
    }
    package func warning(_ message: StaticString, _ fields: [(String, String)] = []) {
        self.log(.warning, message, fields)
    }
    package func error(_ message: StaticString, _ fields: [(String, String)] = []) { self.log(.error, message, fields) }

    /// A logfmt value: bare when it is a plain word, otherwise quoted with `"` and `\` escaped,
    /// and control, format and line-breaking characters (U+0085, U+2028…) written as `\u{…}`,
    /// so that no value can split a line or steer a terminal.
    package static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { s in
            s.value > 0x20 && s.value < 0x7F && s != "\"" && s != "=" && s != "\\"
        }
        if plain { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                switch scalar.properties.generalCategory {
                case .control, .lineSeparator, .paragraphSeparator, .format:
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                default:
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
