// SPDX-License-Identifier: Apache-2.0

/// A value kept behind one reference: copying it costs one retain, however many strings and
/// arrays the value holds; changing it copies the value first when another copy shares it.
///
/// The publish path hands headers and members from one function to the next; as plain structs
/// each hand-over retained and released every field.
struct CopyOnWrite<Value> {
    private final class Box {
        var value: Value

        init(_ value: Value) {
            self.value = value
        }
    }

    private var box: Box

    init(_ value: Value) {
        self.box = Box(value)
    }

    var value: Value {
        _read { yield self.box.value }
        _modify {
            if !isKnownUniquelyReferenced(&self.box) { self.box = Box(self.box.value) }
            yield &self.box.value
        }
    }
}

/// The box is changed only while no other copy holds it, so sharing it across threads is as safe
/// as sharing the value.
extension CopyOnWrite: @unchecked Sendable where Value: Sendable {}

extension CopyOnWrite: Equatable where Value: Equatable {
    static func == (lhs: CopyOnWrite, rhs: CopyOnWrite) -> Bool {
        lhs.value == rhs.value
    }
}
