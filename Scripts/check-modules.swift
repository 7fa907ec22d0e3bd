// Checks that the module graph is what it says it is, three ways:
//   1. every target of Package.swift declares exactly the modules its files import (no more, no
//      fewer: an undeclared import only builds by accident of build order, an unused declaration
//      hides the real design);
//   2. the README's module graph lists every library module with exactly those dependencies;
//   3. library code never calls exit() (only programs decide when a process ends).
//
// Run from the package root:   swift Scripts/check-modules.swift [--print-graph]
// It prints each problem on one line and exits 1 if there is any; --print-graph prints the graph
// the files' imports make, in the README's form.

import Foundation

/// Modules of the toolchain, not of this package.
let systemModules: Set<String> = [
    "Foundation", "FoundationNetworking", "FoundationEssentials", "Dispatch", "Glibc", "Darwin",
    "Musl", "Testing", "XCTest", "Synchronization", "PackageDescription",
]

struct TargetInfo {
    let name: String
    let path: String
    let type: String
    let dependencies: Set<String>
}

func run(_ command: [String]) -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    let pipe = Pipe()
    process.standardOutput = pipe
    try! process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        FileHandle.standardError.write(Data("check-modules: `\(command.joined(separator: " "))` failed\n".utf8))
        exit(1)
    }
    return data
}

// 1. The targets and what they declare, from SwiftPM itself.
let manifest = try! JSONSerialization.jsonObject(with: run(["swift", "package", "dump-package"])) as! [String: Any]
var targets: [TargetInfo] = []
for target in manifest["targets"] as! [[String: Any]] {
    let name = target["name"] as! String
    let type = target["type"] as! String
    let defaultRoot = type == "test" ? "Tests" : "Sources"
    let path = (target["path"] as? String) ?? "\(defaultRoot)/\(name)"
    var dependencies = Set<String>()
    for dependency in target["dependencies"] as! [[String: Any]] {
        if let byName = dependency["byName"] as? [Any], let first = byName.first as? String {
            dependencies.insert(first)
        }
        if let target = dependency["target"] as? [Any], let first = target.first as? String {
            dependencies.insert(first)
        }
    }
    targets.append(TargetInfo(name: name, path: path, type: type, dependencies: dependencies))
}
let packageModules = Set(targets.map(\.name))

func swiftFiles(under path: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
    return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().map { "\(path)/\($0)" }
}

/// The modules a file imports (`import X`, `@_exported import X`, `@testable import X`,
/// `public import X`), ignoring those inside `#if` conditions that name another platform.
func imports(of file: String) -> Set<String> {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
    var found = Set<String>()
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init)
        guard let index = words.firstIndex(of: "import"), index + 1 < words.count else { continue }
        let before = words[..<index]
        guard
            before.allSatisfy({
                $0.hasPrefix("@") || ["public", "internal", "package", "private", "fileprivate"].contains($0)
            })
        else { continue }
        let module = words[index + 1].split(separator: ".").first.map(String.init) ?? words[index + 1]
        // Text that only looks like an import (`import os, sys` in a Python snippet) is not one.
        guard module.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else { continue }
        found.insert(module)
    }
    return found
}

var problems: [String] = []
var libraryGraph: [String: Set<String>] = [:]
for target in targets {
    var imported = Set<String>()
    for file in swiftFiles(under: target.path) {
        let modules = imports(of: file).subtracting(systemModules)
        for module in modules where !packageModules.contains(module) {
            problems.append(
                "\(file): imports '\(module)', which is neither a module of this package nor of the toolchain")
        }
        imported.formUnion(modules.intersection(packageModules))
        if target.type == "regular" && target.name != "ProgramSupport" && target.name != "FuzzHarness" {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            if text.range(of: #"(^|[^.\w])exit\("#, options: .regularExpression) != nil {
                problems.append("\(file): library code calls exit(); throw or trap with a message instead")
            }
        }
    }
    for missing in imported.subtracting(target.dependencies).sorted() {
        problems.append("Package.swift: target \(target.name) imports \(missing) but does not declare it")
    }
    // The exercise files are the learner's to edit: their target offers the modules an answer may
    // import (the library's solutions import them all), whatever the stubs import today.
    for unused in target.dependencies.subtracting(imported).sorted() where target.name != "Exercises" {
        problems.append("Package.swift: target \(target.name) declares \(unused) but none of its files imports it")
    }
    if target.type == "regular" && !target.path.hasPrefix("Tests") && !target.path.hasPrefix("Fuzz")
        && !target.path.hasPrefix("Tutorials")
    {
        libraryGraph[target.name] = imported
    }
}

// 2. The README's graph: the lines between <!-- module-graph --> and <!-- /module-graph -->, each
//    `Module  <- Dependency, Dependency` (or `<- (nothing)`).
if CommandLine.arguments.contains("--print-graph") {
    for (module, dependencies) in libraryGraph.sorted(by: { $0.key < $1.key }) {
        let list = dependencies.isEmpty ? "(nothing)" : dependencies.sorted().joined(separator: ", ")
        print(module.padding(toLength: 19, withPad: " ", startingAt: 0) + "<- " + list)
    }
    exit(0)
}
let readme = (try? String(contentsOfFile: "README.md", encoding: .utf8)) ?? ""
if let start = readme.range(of: "<!-- module-graph -->"), let end = readme.range(of: "<!-- /module-graph -->") {
    var listed: [String: Set<String>] = [:]
    for line in readme[start.upperBound..<end.lowerBound].split(separator: "\n") {
        let sides = line.components(separatedBy: "<-")
        guard sides.count == 2 else { continue }
        let module = sides[0].trimmingCharacters(in: .whitespaces)
        let names = sides[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        listed[module] = Set(names.filter { !$0.isEmpty && $0 != "(nothing)" })
    }
    for (module, dependencies) in libraryGraph.sorted(by: { $0.key < $1.key }) {
        guard let readmeDependencies = listed[module] else {
            problems.append("README.md: the module graph does not list \(module)")
            continue
        }
        if readmeDependencies != dependencies {
            problems.append(
                "README.md: the module graph gives \(module) <- \(readmeDependencies.sorted().joined(separator: ", ")); "
                    + "its files import \(dependencies.sorted().joined(separator: ", "))")
        }
    }
    for module in listed.keys where libraryGraph[module] == nil {
        problems.append("README.md: the module graph lists \(module), which is not a library module")
    }
} else {
    problems.append("README.md: no module graph between <!-- module-graph --> and <!-- /module-graph -->")
}

for problem in problems { print(problem) }
if problems.isEmpty {
    print("check-modules: \(targets.count) targets; every declaration matches the imports; README's graph matches")
} else {
    exit(1)
}
