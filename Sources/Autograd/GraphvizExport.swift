/// The autograd graph as a Graphviz DOT file, to look at with `dot -Tsvg graph.dot > graph.svg`
/// or any online Graphviz viewer.
///
/// Each operation is a box labelled with its `gradFn` name and output shape; each leaf that
/// requires a gradient is an ellipse (named when `names` gives it a name, such as `fc.weight`);
/// arrows run forward, from inputs to the operation that used them, ending at this tensor.
///
/// ```swift
/// try FileWriting.write(loss.graphviz(names: ["fc.weight": model.fc.weight]), to: "graph.dot")
/// ```
extension Tensor {
    public func graphviz(names: [String: Tensor] = [:]) -> String {
        var nameOf: [ObjectIdentifier: String] = [:]
        for (name, tensor) in names { nameOf[ObjectIdentifier(tensor)] = name }
        var lines = ["digraph autograd {", "  rankdir=LR;", "  node [fontname=\"Helvetica\", fontsize=11];"]
        var ids: [ObjectIdentifier: String] = [:]
        func id(_ tensor: Tensor) -> String {
            if let existing = ids[ObjectIdentifier(tensor)] { return existing }
            let new = "t\(ids.count)"
            ids[ObjectIdentifier(tensor)] = new
            return new
        }
        var visited = Set<ObjectIdentifier>()
        var stack: [Tensor] = [self]
        while let tensor = stack.popLast() {
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            let node = id(tensor)
            if let function = tensor.gradFn {
                lines.append(
                    "  \(node) [shape=box, style=filled, fillcolor=\"#dde8f5\", label=\"\(function.name)\\n\(tensor.shapeText)\"];"
                )
                for input in function.inputs {
                    lines.append("  \(id(input)) -> \(node);")
                    stack.append(input)
                }
            } else {
                let label = nameOf[ObjectIdentifier(tensor)] ?? (tensor.requiresGrad ? "leaf" : "input")
                let colour = tensor.requiresGrad ? "#f5e6c8" : "#eeeeee"
                lines.append(
                    "  \(node) [shape=ellipse, style=filled, fillcolor=\"\(colour)\", label=\"\(label)\\n\(tensor.shapeText)\"];"
                )
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
