// SPDX-License-Identifier: Apache-2.0

/// A JSON value (RFC 8259) as the wire uses it.
///
/// Numbers keep the difference between integers, which sequence numbers and sizes need exactly,
/// and other numbers. Objects keep their keys in the order they were written, so that what the
/// daemon writes reads the same every time.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, when this is one.
    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The object, when this is one.
    package var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The array, when this is one.
    package var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The integer, when this is one (a double with no fraction counts too).
    package var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }

    /// The Boolean, when this is one.
    package var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// A short name of the value's type, for error messages ("a string", "an array").
    package var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a Boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON object that remembers the order of its keys.
///
/// Keys are compared byte for byte, as JSON does: Swift's `String` equality would merge keys
/// that are canonically equivalent (`é` and `e` + U+0301), which other readers keep apart.
package struct JSONObject: Sendable, Equatable {
    package private(set) var keys: [String] = []
    private var values: [Key: JSONValue] = [:]

    /// A key by its exact UTF-8 bytes.
    private struct Key: Hashable, Sendable {
        let bytes: [UInt8]
        init(_ text: String) { self.bytes = Array(text.utf8) }

        // Hash the bytes in one call; the synthesised hash feeds the hasher byte by byte.
        func hash(into hasher: inout Hasher) {
            self.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    package init() {}

    /// Makes an object from pairs, in order; a later pair replaces an earlier one of the same key.
    package init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs {
            self[key] = value
        }
    }

    /// The value of a key; setting nil removes the key.
    package subscript(key: String) -> JSONValue? {
        get { self.values[Key(key)] }
        set {
            let k = Key(key)
            if let newValue {
                if self.values.updateValue(newValue, forKey: k) == nil {
                    self.keys.append(key)
                }
            } else if self.values.removeValue(forKey: k) != nil {
                self.keys.removeAll { Array($0.utf8) == k.bytes }
            }
        }
    }

    /// The number of keys.
    package var count: Int { self.keys.count }

    /// Pairs in key order.
    package var pairs: [(key: String, value: JSONValue)] {
        self.keys.map { ($0, self.values[Key($0)]!) }  // every key in `keys` has a value
    }

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.values == rhs.values
    }
}
