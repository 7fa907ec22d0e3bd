import Autograd
import Files

/// A model's learned values by name, in order: what is saved to a checkpoint and loaded back
/// (PyTorch's `state_dict()`).
///
/// Keys and layouts are PyTorch's (`conv1.weight` [out, in, kh, kw], `fc.bias` [out]), so a state
/// dict saved here as safetensors loads into the same PyTorch model, and back.
///
/// ```swift
/// let state = model.stateDict()
/// state.keys                         // ["hidden1.weight", "hidden1.bias", ...]
/// try model.loadStateDict(state)
/// ```
public struct StateDict: Sequence {
    public private(set) var entries: [(key: String, tensor: Tensor)]

    public init(_ entries: [(key: String, tensor: Tensor)] = []) {
        self.entries = entries
    }

    public var keys: [String] { entries.map(\.key) }

    public var count: Int { entries.count }

    public subscript(key: String) -> Tensor? {
        get { entries.first { $0.key == key }?.tensor }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].tensor = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, tensor: Tensor)]> {
        entries.makeIterator()
    }
}

/// Why a state dict does not fit a model; nothing was changed.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
    public let missingKeys: [String]
    public let unexpectedKeys: [String]
    /// (key, shape in the model, shape in the state dict)
    public let shapeMismatches: [(key: String, expected: [Int], found: [Int])]
    /// Keys whose values hold NaN or infinity (checked only when asked).
    public let nonFiniteKeys: [String]

    public init(
        missingKeys: [String], unexpectedKeys: [String],
        shapeMismatches: [(key: String, expected: [Int], found: [Int])],
        nonFiniteKeys: [String] = []
    ) {
        self.missingKeys = missingKeys
        self.unexpectedKeys = unexpectedKeys
        self.shapeMismatches = shapeMismatches
        self.nonFiniteKeys = nonFiniteKeys
    }

    public static func == (lhs: StateDictError, rhs: StateDictError) -> Bool {
        lhs.description == rhs.description
    }

    /// At most ten keys, escaped, then how many more: a file of 280,000 tensors would otherwise
    /// make a message of megabytes.
    static func list(_ keys: [String]) -> String {
        let shown = keys.prefix(10).map(printable).joined(separator: ", ")
        return keys.count > 10 ? shown + " and \(keys.count - 10) more" : shown
    }

    public var description: String {
        var parts: [String] = []
        if !missingKeys.isEmpty { parts.append("missing keys: \(Self.list(missingKeys))") }
        if !unexpectedKeys.isEmpty { parts.append("unexpected keys: \(Self.list(unexpectedKeys))") }
        for mismatch in shapeMismatches.prefix(10) {
            parts.append(
                "size mismatch for \(printable(mismatch.key)): the model has shape \(mismatch.expected), the state dict \(mismatch.found)"
            )
        }
        if !nonFiniteKeys.isEmpty {
            parts.append(
                "NaN or infinite values in \(nonFiniteKeys.map(printable).joined(separator: ", ")) (weights of a diverged run?)"
            )
        }
        return "Error loading state dict: " + parts.joined(separator: "; ")
    }
}

extension Module {
    /// Copies of every parameter's values, by name.
    public func stateDict() -> StateDict {
        StateDict(namedParameters().map { ($0.name, $0.parameter.detached()) })
    }

    /// Copies `state`'s values into the parameters of the same names.
    ///
    /// Everything is checked before anything is written: with `strict` (the default), keys
    /// missing from `state` or not in the model are errors; a shape that differs is always an
    /// error; with `checkingFinite`, so is a NaN or infinite value. On any error the model is left
    /// exactly as it was.
    public func loadStateDict(_ state: StateDict, strict: Bool = true, checkingFinite: Bool = false) throws {
        let named = namedParameters()
        let modelKeys = Set(named.map(\.name))
        let missing = named.map(\.name).filter { state[$0] == nil }
        let unexpected = state.keys.filter { !modelKeys.contains($0) }
        var mismatches: [(key: String, expected: [Int], found: [Int])] = []
        for (name, parameter) in named {
            if let tensor = state[name], tensor.shape != parameter.shape {
                mismatches.append((name, parameter.shape, tensor.shape))
            }
        }
        if !mismatches.isEmpty || (strict && (!missing.isEmpty || !unexpected.isEmpty)) {
            throw StateDictError(
                missingKeys: strict ? missing : [], unexpectedKeys: strict ? unexpected : [],
                shapeMismatches: mismatches)
        }
        if checkingFinite {
            let nonFinite = named.compactMap { name, _ in
                state[name].flatMap { tensor in tensor.data.contains { !$0.isFinite } ? name : nil }
            }
            if !nonFinite.isEmpty {
                throw StateDictError(missingKeys: [], unexpectedKeys: [], shapeMismatches: [], nonFiniteKeys: nonFinite)
            }
        }
        for (name, parameter) in named {
            if let tensor = state[name] { parameter.data = tensor.data }
        }
    }
}
