// SPDX-License-Identifier: Apache-2.0

/// Renders received items and replies for people and for scripts.
package enum ItemFormatter {
    /// One line a person can read:
    /// `2026-12-04T16:27:34.988Z bfc/auto-rang3/crps/alert #3 Severe «title» from cci-doubs — why`.
    package static func humanLine(_ item: ReceivedItem) -> String {
        guard let header = item.header else {
            return "\(item.topic) (header is not JSON, \(item.rawHeader.count) bytes)"
        }
        func field(_ name: String) -> String? { header[name]?.stringValue }
        var line = field("received") ?? "-"
        line += " \(item.topic)"
        if let seq = item.seq { line += " #\(seq)" }
        if let severity = field("severity"), severity != "Unknown" { line += " \(severity)" }
        line += " «\(Self.oneLine(field("title") ?? ""))»"
        if let sender = field("sender") { line += " from \(Self.oneLine(sender))" }
        if let tlp = field("tlp") { line += " TLP:\(tlp.uppercased())" }
        if let reason = field("reason") { line += " — \(Self.oneLine(reason))" }
        line += " [\(field("id") ?? "?"), \(item.body.count) bytes]"
        return line
    }

    /// One JSON object a line: topic, header, and the body as text when it is UTF-8, otherwise
    /// in base64 under `body_base64`.
    package static func jsonLine(_ item: ReceivedItem) -> String {
        var o = JSONObject()
        o["topic"] = .string(item.topic)
        o["header"] = item.header.map { .object($0) } ?? .string(String(decoding: item.rawHeader, as: UTF8.self))
        if UTF8Check.isValid(item.body) {
            o["body"] = .string(String(decoding: item.body, as: UTF8.self))
        } else {
            o["body_base64"] = .string(Base64.encode(item.body))
        }
        return JSONWriter.string(.object(o))
    }

    /// The text with line breaks and tabs turned into spaces, so one item stays one line.
    ///
    /// Every other control character (ESC first: a publisher must not drive the reader's
    /// terminal) and the bidirectional overrides become U+FFFD.
    package static func oneLine(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.value == 0x85 || scalar.value == 0x2028
                || scalar.value == 0x2029 {
                out.append(" ")
            } else if DisplayText.isUnsafe(scalar) {
                out.append("\u{FFFD}")
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

}

/// RFC 4648 base64, for bodies that are not text.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    package static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = (b0 << 16) | (b1 << 8) | b2
            out.append(alphabet[Int((n >> 18) & 63)])
            out.append(alphabet[Int((n >> 12) & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int((n >> 6) & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
