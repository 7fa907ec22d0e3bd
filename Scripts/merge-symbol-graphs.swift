// Merges the symbol graphs of Kindling's library modules into the graph of one module named
// `Kindling`, the way a reader meets the library (`import Kindling` re-exports every module), so
// that one DocC catalog documents every type and its links (``Tensor``, ``Conv2d``) resolve across
// the modules.
//
//   swift Scripts/merge-symbol-graphs.swift INPUT-DIR OUTPUT-DIR Module Module ...
//
// INPUT-DIR holds `swift package dump-symbol-graph`'s files: `M.symbols.json` for each module M,
// and `M@N.symbols.json` for M's extensions of module N's types. Extensions of the listed modules'
// types join the one graph; extensions of other modules' types (Swift's `Array`, `SIMD8`) go to
// `Kindling@N.symbols.json`.

import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: merge-symbol-graphs.swift INPUT-DIR OUTPUT-DIR Module...\n".utf8))
    exit(2)
}
let (input, output) = (arguments[0], arguments[1])
let modules = Set(arguments.dropFirst(2))

func load(_ path: String) -> [String: Any] {
    guard let data = FileManager.default.contents(atPath: path),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else {
        FileHandle.standardError.write(Data("merge-symbol-graphs: cannot read \(path) as a symbol graph\n".utf8))
        exit(1)
    }
    return object
}

/// The merged graphs by the module whose types they extend (`Kindling` for the library's own).
var graphs: [String: (template: [String: Any], symbols: [Any], relationships: [Any])] = [:]
let files = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).filter {
    $0.hasSuffix(".symbols.json")
}.sorted()
for file in files {
    let name = String(file.dropLast(".symbols.json".count))
    let parts = name.split(separator: "@").map(String.init)
    guard let owner = parts.first, modules.contains(owner) else { continue }
    let extended = parts.count == 2 && !modules.contains(parts[1]) ? parts[1] : "Kindling"
    let graph = load("\(input)/\(file)")
    var entry = graphs[extended] ?? (graph, [], [])
    entry.symbols += (graph["symbols"] as? [Any]) ?? []
    entry.relationships += (graph["relationships"] as? [Any]) ?? []
    graphs[extended] = entry
}
guard graphs["Kindling"] != nil else {
    FileHandle.standardError.write(
        Data("merge-symbol-graphs: no symbol graph of \(modules.sorted()) in \(input)\n".utf8))
    exit(1)
}
try? FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
for (extended, entry) in graphs {
    var graph = entry.template
    var module = (graph["module"] as? [String: Any]) ?? [:]
    module["name"] = "Kindling"
    graph["module"] = module
    graph["symbols"] = entry.symbols
    graph["relationships"] = entry.relationships
    let fileName = extended == "Kindling" ? "Kindling.symbols.json" : "Kindling@\(extended).symbols.json"
    let data = try! JSONSerialization.data(withJSONObject: graph, options: [.sortedKeys])
    try! data.write(to: URL(fileURLWithPath: "\(output)/\(fileName)"))
    print("merge-symbol-graphs: \(fileName): \(entry.symbols.count) symbols")
}
