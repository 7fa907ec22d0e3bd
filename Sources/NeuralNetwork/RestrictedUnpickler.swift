import Files

/// A value of Python's pickle format, as far as a PyTorch state dict needs.
public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list([PickleValue])
    /// A dict or an OrderedDict, its entries in order.
    case dict([(key: PickleValue, value: PickleValue)])
    /// A name from the allowed set (`torch._utils._rebuild_tensor_v2`, `torch.FloatStorage`).
    case global(module: String, name: String)
    /// What a persistent id refers to: a tensor storage, `('storage', torch.FloatStorage, key,
    /// location, count)`.
    case storage(type: String, key: String, count: Int)
    /// A tensor rebuilt from a storage: `_rebuild_tensor_v2(storage, offset, size, stride, ...)`,
    /// with the number of values the storage was declared to hold.
    case tensor(storage: String, key: String, storageCount: Int, offset: Int, shape: [Int], strides: [Int])

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var int: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The number of values of a tensor of `shape`, or nil past 2^31 (or on overflow).
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= 1 << 31 else { return nil }
            count = product
        }
        return count
    }

    /// The storage index of the last value a tensor reads, or nil on overflow (0-sized tensors
    /// read nothing: their offset).
    static func lastElement(offset: Int, shape: [Int], strides: [Int]) -> Int? {
        var last = offset
        for (size, stride) in zip(shape, strides) where size > 0 {
            let (step, overflow) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, carry) = last.addingReportingOverflow(step)
            guard !overflow, !carry else { return nil }
            last = sum
        }
        return last
    }

    /// The elements of a tuple or a list.
    var elements: [PickleValue]? {
        switch self {
        case .tuple(let items), .list(let items): return items
        default: return nil
        }
    }
}

/// Reads the pickle inside a PyTorch `.pth` file without executing anything, as PyTorch's own
/// `torch.load(..., weights_only=True)` does.
///
/// Python's pickle format is a small stack machine whose `GLOBAL` and `REDUCE` instructions import
/// and call any function by name: unpickling an untrusted file with Python's `pickle` can run
/// `os.system`. This reader understands the instructions a state dict needs and allows exactly
/// these names to be called:
///
///     collections.OrderedDict                     an empty ordered dict
///     torch._utils._rebuild_tensor_v2             a tensor from a storage, offset, size, stride
///     torch._utils._rebuild_parameter             a parameter around such a tensor
///     torch.FloatStorage, DoubleStorage, HalfStorage, BFloat16Storage, LongStorage, IntStorage,
///     ShortStorage, CharStorage, ByteStorage, BoolStorage    storage types, named, never called
///
/// Any other name is refused with the name, before anything is called; nothing is ever executed,
/// since even the allowed names are interpreted here rather than run.
///
/// ```swift
/// let root = try RestrictedUnpickler(bytes).load()      // .dict([("conv1.weight", .tensor(...)), ...])
/// ```
public struct RestrictedUnpickler {
    /// The names a state dict may call or refer to.
    public static let allowedGlobals: Set<String> = [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage",
        "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage",
        "torch.BoolStorage",
    ]

    /// Why a pickle was refused.
    public struct Refusal: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    let bytes: [UInt8]
    var position = 0
    /// The values and how deeply each nests containers.
    var stack: [(value: PickleValue, depth: Int)] = []
    var marks: [Int] = []
    var memo: [Int: (value: PickleValue, depth: Int)] = [:]
    /// Instructions run and values placed in containers, to bound the work and memory a hostile
    /// pickle can ask for (a list appended to itself through the memo doubles at every step).
    var steps = 0
    var containedValues = 0
    // How deeply each value nests containers is kept beside it: freeing a value nested millions
    // deep would overflow the thread's stack, so nesting is limited (a state dict nests four deep).

    /// Limits no state dict comes near: instructions, values on the stack, memo entries, marks,
    /// and the nesting of containers.
    static let maximumSteps = 5_000_000
    static let maximumStack = 1_000_000
    static let maximumMemo = 1_000_000
    static let maximumMarks = 10_000
    static let maximumDepth = 64

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The value the pickle describes.
    public mutating func load() throws -> PickleValue {
        func fail(_ reason: String) -> Refusal { Refusal(reason: "pickle: \(reason)") }
        while true {
            steps += 1
            guard steps <= Self.maximumSteps, stack.count <= Self.maximumStack, memo.count <= Self.maximumMemo,
                marks.count <= Self.maximumMarks
            else { throw fail("more instructions, values, memo entries or marks than any state dict needs") }
            let opcode = try byte()
            switch opcode {
            case 0x80: _ = try byte()  // PROTO n
            case 0x95: try skip(8)  // FRAME length
            case 0x2E:  // STOP
                return try pop().value
            case 0x28: marks.append(stack.count)  // MARK
            case 0x4E: push(.none)  // NONE
            case 0x88: push(.bool(true))  // NEWTRUE
            case 0x89: push(.bool(false))  // NEWFALSE
            case 0x4B: push(.int(Int(try byte())))  // BININT1
            case 0x4D: push(.int(try little(2)))  // BININT2
            case 0x4A: push(.int(Int(Int32(truncatingIfNeeded: try little(4)))))  // BININT
            case 0x8A:  // LONG1: n bytes, little-endian two's complement
                let count = Int(try byte())
                guard count <= 8 else { throw fail("an integer of \(count) bytes") }
                var value = 0
                for index in 0..<count { value |= Int(try byte()) << (8 * index) }
                if count > 0 && count < 8 && value >> (8 * count - 1) & 1 == 1 { value -= 1 << (8 * count) }
                push(.int(value))
            case 0x47:  // BINFLOAT: 8 bytes, big-endian
                var bits: UInt64 = 0
                for _ in 0..<8 { bits = bits << 8 | UInt64(try byte()) }
                push(.float(Double(bitPattern: bits)))
            case 0x58: push(.string(try text(try little(4))))  // BINUNICODE
            case 0x8C: push(.string(try text(Int(try byte()))))  // SHORT_BINUNICODE
            case 0x8D: push(.string(try text(try little(8))))  // BINUNICODE8
            case 0x43: push(.bytes(try raw(Int(try byte()))))  // SHORT_BINBYTES
            case 0x42: push(.bytes(try raw(try little(4))))  // BINBYTES
            case 0x29: push(.tuple([]))  // EMPTY_TUPLE
            case 0x85: try pushContainer(list: false, [try pop()])  // TUPLE1
            case 0x86:  // TUPLE2
                let second = try pop(), first = try pop()
                try pushContainer(list: false, [first, second])
            case 0x87:  // TUPLE3
                let third = try pop(), second = try pop(), first = try pop()
                try pushContainer(list: false, [first, second, third])
            case 0x74: try pushContainer(list: false, try popToMark())  // TUPLE
            case 0x5D: push(.list([]))  // EMPTY_LIST
            case 0x7D: push(.dict([]))  // EMPTY_DICT
            case 0x6C: try pushContainer(list: true, try popToMark())  // LIST
            case 0x61:  // APPEND
                let item = try pop()
                let list = try pop()
                guard case .list(let items) = list.value else { throw fail("APPEND to something not a list") }
                try count(items.count + 1)
                try pushContainer(list: true, items.map { ($0, list.depth - 1) } + [item])
            case 0x65:  // APPENDS
                let items = try popToMark()
                let list = try pop()
                guard case .list(let existing) = list.value else { throw fail("APPENDS to something not a list") }
                try count(existing.count)
                try pushContainer(list: true, existing.map { ($0, list.depth - 1) } + items)
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                let dict = try pop()
                guard case .dict(let entries) = dict.value else { throw fail("SETITEM on something not a dict") }
                try count(entries.count + 1)
                try pushDict(entries, depth: dict.depth, adding: [key, value])
            case 0x75:  // SETITEMS
                let items = try popToMark()
                let dict = try pop()
                guard items.count % 2 == 0, case .dict(let entries) = dict.value else {
                    throw fail("SETITEMS on something not a dict")
                }
                try count(entries.count)
                try pushDict(entries, depth: dict.depth, adding: items)
            case 0x71: try put(Int(try byte()))  // BINPUT
            case 0x72: try put(try little(4))  // LONG_BINPUT
            case 0x94: try put(memo.count)  // MEMOIZE
            case 0x68: try get(Int(try byte()))  // BINGET
            case 0x6A: try get(try little(4))  // LONG_BINGET
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try line(), name = try line()
                try allow(module, name)
                push(.global(module: module, name: name))
            case 0x93:  // STACK_GLOBAL
                guard let name = try pop().value.string, let module = try pop().value.string else {
                    throw fail("STACK_GLOBAL without two strings")
                }
                try allow(module, name)
                push(.global(module: module, name: name))
            case 0x51:  // BINPERSID: a storage, ('storage', type, key, location, count)
                guard let id = try pop().value.elements, id.count >= 5, id[0].string == "storage",
                    case .global(let module, let type) = id[1], let key = id[2].string, let count = id[4].int,
                    count >= 0
                else { throw fail("a persistent id that is not a tensor storage") }
                push(.storage(type: "\(module).\(type)", key: key, count: count))
            case 0x52:  // REDUCE: callable(*arguments)
                let arguments = try pop().value
                push(try call(try pop().value, arguments))
            case 0x62:  // BUILD: sets an object's state; a state dict's `_metadata` is not needed
                _ = try pop()
            default:
                throw fail("instruction 0x\(String(opcode, radix: 16)) is not one a state dict uses")
            }
        }
    }

    /// Pushes a value that holds no container.
    mutating func push(_ value: PickleValue) {
        stack.append((value, 0))
    }

    /// Pushes a tuple or list of `items`, one level deeper than the deepest of them.
    mutating func pushContainer(list: Bool, _ items: [(value: PickleValue, depth: Int)]) throws {
        let depth = 1 + (items.map(\.depth).max() ?? 0)
        guard depth <= Self.maximumDepth else {
            throw Refusal(reason: "pickle: containers nested more than \(Self.maximumDepth) deep")
        }
        let values = items.map(\.value)
        stack.append((list ? .list(values) : .tuple(values), depth))
    }

    /// Pushes `entries` plus the key-value pairs in `adding`, as a dict.
    mutating func pushDict(
        _ entries: [(key: PickleValue, value: PickleValue)], depth: Int,
        adding items: [(value: PickleValue, depth: Int)]
    ) throws {
        var all = entries
        var deepest = Swift.max(depth - 1, 0)
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            all.append((items[index].value, items[index + 1].value))
            deepest = Swift.max(deepest, items[index].depth, items[index + 1].depth)
        }
        guard deepest + 1 <= Self.maximumDepth else {
            throw Refusal(reason: "pickle: containers nested more than \(Self.maximumDepth) deep")
        }
        stack.append((.dict(all), deepest + 1))
    }

    mutating func put(_ index: Int) throws {
        guard let top = stack.last else { throw Refusal(reason: "pickle: PUT with an empty stack") }
        memo[index] = top
    }

    mutating func get(_ index: Int) throws {
        guard let value = memo[index] else { throw Refusal(reason: "pickle: GET of memo \(index), never PUT") }
        stack.append(value)
    }

    /// Interprets a call of an allowed name.
    mutating func call(_ callable: PickleValue, _ arguments: PickleValue) throws -> PickleValue {
        guard case .global(let module, let name) = callable, let args = arguments.elements else {
            throw Refusal(reason: "pickle: REDUCE of something that is not an allowed name")
        }
        switch "\(module).\(name)" {
        case "collections.OrderedDict":
            return .dict([])
        case "torch._utils._rebuild_tensor_v2":
            guard args.count >= 4, case .storage(let type, let key, let count) = args[0], let offset = args[1].int,
                let shape = args[2].elements?.compactMap(\.int), let strides = args[3].elements?.compactMap(\.int),
                shape.count == args[2].elements?.count, strides.count == shape.count, offset >= 0
            else { throw Refusal(reason: "pickle: _rebuild_tensor_v2 with arguments that are not a tensor's") }
            guard shape.count <= 16, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
                throw Refusal(reason: "pickle: a tensor with a negative size or stride, or more than 16 dimensions")
            }
            guard PickleValue.elementCount(shape) != nil else {
                throw Refusal(reason: "pickle: a tensor of shape \(shape) has more values than any tensor here")
            }
            // The furthest element read must lie inside the storage (an empty tensor reads none).
            guard let last = PickleValue.lastElement(offset: offset, shape: shape, strides: strides),
                last < count
                    || shape.contains(0)
            else { throw Refusal(reason: "pickle: a tensor of shape \(shape) reaches past its storage of \(count)") }
            return .tensor(storage: type, key: key, storageCount: count, offset: offset, shape: shape, strides: strides)
        case "torch._utils._rebuild_parameter":
            guard let first = args.first, case .tensor = first else {
                throw Refusal(reason: "pickle: _rebuild_parameter without a tensor")
            }
            return first
        default:
            throw Refusal(reason: "pickle: \(printable(module)).\(printable(name)) may be named but not called")
        }
    }

    /// Refuses every name outside `allowedGlobals`, before anything else happens.
    func allow(_ module: String, _ name: String) throws {
        guard Self.allowedGlobals.contains("\(module).\(name)") else {
            throw Refusal(
                reason:
                    "pickle: refused to load '\(printable(module)).\(printable(name))': not one of the names a state dict of tensors uses (nothing was run)"
            )
        }
    }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw Refusal(reason: "pickle: ends early (truncated)") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func little(_ count: Int) throws -> Int {
        var value = 0
        for index in 0..<count { value |= Int(try byte()) << (8 * index) }
        guard value >= 0 else { throw Refusal(reason: "pickle: a negative length") }
        return value
    }

    mutating func skip(_ count: Int) throws {
        guard count <= bytes.count - position else { throw Refusal(reason: "pickle: ends early (truncated)") }
        position += count
    }

    mutating func raw(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= bytes.count - position else {
            throw Refusal(reason: "pickle: a string of \(count) bytes runs past its end")
        }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func text(_ count: Int) throws -> String {
        String(decoding: try raw(count), as: UTF8.self)
    }

    /// A newline-terminated name, for GLOBAL.
    mutating func line() throws -> String {
        var result: [UInt8] = []
        while true {
            let next = try byte()
            if next == 0x0A { break }
            result.append(next)
            guard result.count <= 256 else { throw Refusal(reason: "pickle: a name longer than 256 bytes") }
        }
        return String(decoding: result, as: UTF8.self)
    }

    mutating func pop() throws -> (value: PickleValue, depth: Int) {
        guard let value = stack.popLast() else { throw Refusal(reason: "pickle: an instruction found the stack empty") }
        if let mark = marks.last, mark > stack.count {
            throw Refusal(reason: "pickle: a value taken from below a MARK")
        }
        return value
    }

    mutating func popToMark() throws -> [(value: PickleValue, depth: Int)] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw Refusal(reason: "pickle: no MARK") }
        defer { stack.removeSubrange(mark...) }
        try count(stack.count - mark)
        return Array(stack[mark...])
    }

    /// Counts `added` values placed into containers, refusing a pickle that builds more than a
    /// state dict could need.
    mutating func count(_ added: Int) throws {
        containedValues += added
        guard containedValues <= 20_000_000 else {
            throw Refusal(reason: "pickle: builds more values than any state dict needs")
        }
    }

}
