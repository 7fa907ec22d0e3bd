import Autograd
import Compression
import Files

/// Reading the files PyTorch writes with `torch.save(model.state_dict(), PATH)` (`.pth`, `.pt`,
/// `.pkl`), without Python and without running anything.
///
/// Since PyTorch 1.6 such a file is a zip archive:
///
///     NAME/data.pkl          the state dict as a pickle: names -> _rebuild_tensor_v2(storage, ...)
///     NAME/data/0, 1, ...    each storage's raw little-endian bytes
///     NAME/byteorder         "little"
///
/// The pickle is read by `RestrictedUnpickler`, which refuses any callable but the few a state
/// dict of tensors needs (as PyTorch's `weights_only=True`), so a file that would run `os.system`
/// is refused with that name and nothing runs. Each tensor is rebuilt from its storage with its
/// offset and strides (a transposed or sliced tensor is copied out in order), and its values
/// converted to Float: float32, float64, float16 and bfloat16 storages, and integer and bool ones
/// (`num_batches_tracked`), which keep their values exactly up to 2^24.
///
/// ```swift
/// let state = try PyTorchFile.load(contentsOf: "mnist_cnn.pt")
/// try model.loadStateDict(state)            // or simply: try model.load(from: "mnist_cnn.pt")
/// ```
public enum PyTorchFile {
    /// True when `bytes` start as a zip archive does (`PK\3\4`), as PyTorch's files do.
    public static func isZipArchive(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x50, 0x4B, 0x03, 0x04])
    }

    /// Reads the state dict in the PyTorch file at `path`, no larger than `maximumFileSize` and
    /// holding at most `maximumValues` tensor values in all.
    public static func load(
        contentsOf path: String, maximumFileSize: Int = Safetensors.defaultMaximumFileSize,
        maximumValues: Int = 1 << 28
    ) throws -> StateDict {
        try decode(
            FileReading.bytes(of: path, maximumSize: maximumFileSize, what: "this PyTorch file"), path: path,
            maximumValues: maximumValues)
    }

    /// The state dict in the bytes of a PyTorch file; `path` names them in errors.
    ///
    /// Nothing is trusted: the pickle's instructions, values and nesting are limited
    /// (`RestrictedUnpickler`); every tensor's offset, sizes and strides are checked against its
    /// storage without overflow; storages are inflated only up to the size the pickle gave them;
    /// and all tensors together may hold at most `maximumValues` values (zero strides can make a
    /// 4-byte storage look like billions of values).
    public static func decode(_ bytes: [UInt8], path: String, maximumValues: Int = 1 << 28) throws -> StateDict {
        // Text from the archive (entry names, storage keys) is escaped before it is printed.
        func fail(_ reason: String) -> SafetensorsError { SafetensorsError(path: path, reason: printable(reason)) }
        guard isZipArchive(bytes) else {
            if bytes.first == 0x80 {
                throw fail("an old PyTorch file (before 1.6, not a zip archive); save it again with a newer torch.save")
            }
            throw fail("not a PyTorch file (a zip archive) nor a safetensors file")
        }
        let archive: ZipArchive
        do {
            archive = try ZipArchive(bytes)
        } catch {
            throw fail("\(error)")
        }
        guard let pickle = archive.entries.first(where: { $0.name == "data.pkl" || $0.name.hasSuffix("/data.pkl") })
        else {
            throw fail("a zip archive without data.pkl: not a file of torch.save")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if let order = archive.entry(named: prefix + "byteorder") {
            let text = String(decoding: (try? archive.contents(of: order, maximumSize: 16)) ?? [], as: UTF8.self)
            guard text == "little" else {
                throw fail("tensors stored \(printable(text))-endian; only little-endian is read")
            }
        }
        let root: PickleValue
        do {
            var unpickler = RestrictedUnpickler(try archive.contents(of: pickle, maximumSize: 16 << 20))
            root = try unpickler.load()
        } catch {
            throw fail("\(error)")
        }
        guard case .dict(let entries) = root else {
            throw fail("holds no state dict (a dict of tensors) at its top: save model.state_dict() itself")
        }
        // The size each storage was declared with (tensors sharing a storage declare the same).
        let storageSizes = Dictionary(
            entries.compactMap { entry -> (String, Int)? in
                guard case .tensor(_, let key, let count, _, _, _) = entry.value else { return nil }
                return (key, count)
            }, uniquingKeysWith: { first, _ in first })
        var tensors: [(String, Tensor)] = []
        var names = Set<String>()
        var storages: [String: [UInt8]] = [:]
        var values = 0, storageBytes = 0
        for (key, value) in entries {
            guard let name = key.string else { throw fail("a state dict key that is not a string") }
            guard names.insert(name).inserted else { throw fail("the name '\(name)' appears twice in the state dict") }
            guard case .tensor(let type, let storageKey, _, let offset, let shape, let strides) = value else {
                throw fail("the entry '\(name)' is not a tensor: save model.state_dict() itself, not a dict around it")
            }
            guard let elementSize = Self.elementSizes[type] else {
                throw fail("tensor '\(name)' has a storage of type \(type), which is not read")
            }
            let count = PickleValue.elementCount(shape) ?? Int.max
            values += Swift.min(count, maximumValues + 1)
            guard values <= maximumValues else {
                throw fail("holds more than \(maximumValues) values in all: more than the model reading it needs")
            }
            let raw: [UInt8]
            if let cached = storages[storageKey] {
                raw = cached
            } else {
                // A storage is inflated only up to the size its tensors' pickle gave it.
                let declared = Swift.min(storageSizes[storageKey] ?? 0, maximumValues + 1)
                storageBytes += declared * elementSize
                guard storageBytes <= 8 * maximumValues + (1 << 20) else {
                    throw fail("its storages hold more bytes than the model reading it needs")
                }
                do {
                    raw = try archive.contents(of: prefix + "data/" + storageKey, maximumSize: declared * elementSize)
                } catch {
                    throw fail("tensor '\(name)': \(error)")
                }
                guard raw.count % elementSize == 0 else {
                    throw fail("storage \(storageKey) holds \(raw.count) bytes, not whole \(type) values")
                }
                storages[storageKey] = raw
            }
            let available = raw.count / elementSize
            guard
                shape.contains(0)
                    || (PickleValue.lastElement(offset: offset, shape: shape, strides: strides).map { $0 < available }
                        ?? false)
            else {
                throw fail("tensor '\(name)' of shape \(shape) reaches past its storage of \(available) values")
            }
            let data = gather(raw, type: type, elementSize: elementSize, offset: offset, shape: shape, strides: strides)
            tensors.append((name, Tensor(shape: shape, data: data)))
        }
        return StateDict(tensors)
    }

    /// Bytes per value of each storage type.
    static let elementSizes: [String: Int] = [
        "torch.FloatStorage": 4, "torch.DoubleStorage": 8, "torch.HalfStorage": 2, "torch.BFloat16Storage": 2,
        "torch.LongStorage": 8, "torch.IntStorage": 4, "torch.ShortStorage": 2, "torch.CharStorage": 1,
        "torch.ByteStorage": 1, "torch.BoolStorage": 1,
    ]

    /// The tensor's values in row-major order, read through its offset and strides and converted.
    static func gather(_ raw: [UInt8], type: String, elementSize: Int, offset: Int, shape: [Int], strides: [Int])
        -> [Float]
    {
        let count = shape.reduce(1, *)
        var result = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        raw.withUnsafeBufferPointer { bytes in
            func word(_ element: Int) -> UInt64 {
                var value: UInt64 = 0
                let start = element * elementSize
                for byte in 0..<elementSize { value |= UInt64(bytes[start + byte]) << UInt64(8 * byte) }
                return value
            }
            for position in 0..<count {
                var element = offset
                for dimension in shape.indices { element += index[dimension] * strides[dimension] }
                let bits = word(element)
                switch type {
                case "torch.FloatStorage": result[position] = Float(bitPattern: UInt32(bits))
                case "torch.DoubleStorage": result[position] = Float(Double(bitPattern: bits))
                case "torch.HalfStorage": result[position] = Safetensors.halfToFloat(UInt16(bits))
                case "torch.BFloat16Storage": result[position] = Float(bitPattern: UInt32(bits) << 16)
                case "torch.LongStorage": result[position] = Float(Int64(bitPattern: bits))
                case "torch.IntStorage": result[position] = Float(Int32(truncatingIfNeeded: bits))
                case "torch.ShortStorage": result[position] = Float(Int16(truncatingIfNeeded: bits))
                case "torch.CharStorage": result[position] = Float(Int8(truncatingIfNeeded: bits))
                default: result[position] = Float(bits)  // bytes and bools
                }
                // The next index, last dimension fastest.
                var dimension = shape.count - 1
                while dimension >= 0 {
                    index[dimension] += 1
                    if index[dimension] < shape[dimension] { break }
                    index[dimension] = 0
                    dimension -= 1
                }
            }
        }
        return result
    }
}
