// SPDX-License-Identifier: Apache-2.0

/// Text that other people's terminals will show.
package enum DisplayText {
    /// Control characters (C0, DEL, C1) and the bidirectional embeddings, overrides and
    /// isolates, which can make a line show something else than it holds.
    package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (v >= 0x7F && v < 0xA0) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}
