import Foundation

/// The autograd graph drawn as SVG, which any web browser opens, so that a reader without Graphviz
/// sees the graph too (`graphviz(names:)` writes the same graph as DOT for those who have it).
///
/// Tensors are laid out in columns: each operation one column right of its furthest input, each
/// input and leaf just left of the first operation that uses it, this tensor last. Each operation
/// is a blue box with its `gradFn` name and output shape; each leaf a sand-coloured box with its
/// name (from `names`), its shape and, once `backward()` has run, the norm of its gradient; a
/// tensor that needs no gradient (the images) a grey box. Arrows run forward, inputs to the
/// operation that used them.
///
/// ```swift
/// loss.backward()
/// try FileWriting.write(loss.graphSVG(names: ["fc.weight": model.fc.weight]), to: "graph.svg")
/// ```
extension Tensor {
    public func graphSVG(names: [String: Tensor] = [:]) -> String {
        var nameOf: [ObjectIdentifier: String] = [:]
        for (name, tensor) in names { nameOf[ObjectIdentifier(tensor)] = name }
        // Every tensor of the graph, each after the tensors it was computed from.
        let order = topologicalOrder(includingLeaves: true)
        // Columns: an operation one past its furthest input; an input or a leaf just before the
        // first operation that uses it, so that no arrow passes behind another box.
        var column: [ObjectIdentifier: Int] = [:]
        for tensor in order {
            let inputs = tensor.gradFn?.inputs ?? []
            column[ObjectIdentifier(tensor)] =
                inputs.isEmpty ? 0 : 1 + (inputs.compactMap { column[ObjectIdentifier($0)] }.max() ?? 0)
        }
        for tensor in order where tensor.gradFn == nil {
            let users = order.filter { user in user.gradFn?.inputs.contains { $0 === tensor } ?? false }
            if let first = users.compactMap({ column[ObjectIdentifier($0)] }).min() {
                column[ObjectIdentifier(tensor)] = Swift.max(0, first - 1)
            }
        }
        let columns = (column.values.max() ?? 0) + 1
        var rowsUsed = [Int](repeating: 0, count: columns)
        var position: [ObjectIdentifier: (x: Int, y: Int)] = [:]
        let (boxWidth, boxHeight, columnGap, rowGap) = (190, 46, 60, 24)
        for tensor in order {
            let c = column[ObjectIdentifier(tensor)] ?? 0
            position[ObjectIdentifier(tensor)] = (
                20 + c * (boxWidth + columnGap), 20 + rowsUsed[c] * (boxHeight + rowGap)
            )
            rowsUsed[c] += 1
        }
        let width = 40 + columns * boxWidth + (columns - 1) * columnGap
        let height = 40 + (rowsUsed.max() ?? 1) * (boxHeight + rowGap) - rowGap
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>
            <rect width="100%" height="100%" fill="white"/>

            """
        // Arrows first, so boxes are drawn over their ends.
        for tensor in order {
            guard let function = tensor.gradFn, let to = position[ObjectIdentifier(tensor)] else { continue }
            for input in function.inputs {
                guard let from = position[ObjectIdentifier(input)] else { continue }
                svg +=
                    "<line x1=\"\(from.x + boxWidth)\" y1=\"\(from.y + boxHeight / 2)\" x2=\"\(to.x)\" y2=\"\(to.y + boxHeight / 2)\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>\n"
            }
        }
        for tensor in order {
            guard let at = position[ObjectIdentifier(tensor)] else { continue }
            let title: String, detail: String, fill: String
            if let function = tensor.gradFn {
                (title, detail, fill) = (function.name, tensor.shapeText, "#dde8f5")
            } else if tensor.requiresGrad {
                let gradient = tensor.grad.map { grad -> String in
                    let norm = grad.data.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
                    return ", |grad| \(formatted(norm))"
                }
                (title, detail, fill) = (
                    nameOf[ObjectIdentifier(tensor)] ?? "leaf", tensor.shapeText + (gradient ?? ""), "#f5e6c8"
                )
            } else {
                (title, detail, fill) = ("input (no gradient)", tensor.shapeText, "#eeeeee")
            }
            svg +=
                "<rect x=\"\(at.x)\" y=\"\(at.y)\" width=\"\(boxWidth)\" height=\"\(boxHeight)\" rx=\"6\" fill=\"\(fill)\" stroke=\"#666\"/>\n"
            svg +=
                "<text x=\"\(at.x + boxWidth / 2)\" y=\"\(at.y + 19)\" text-anchor=\"middle\" font-weight=\"bold\">\(escapedXML(title))</text>\n"
            svg +=
                "<text x=\"\(at.x + boxWidth / 2)\" y=\"\(at.y + 36)\" text-anchor=\"middle\">\(escapedXML(detail))</text>\n"
        }
        return svg + "</svg>\n"
    }
}

/// A number with four significant digits, for a label.
private func formatted(_ value: Double) -> String {
    let rounded = (value * 10_000).rounded() / 10_000
    return value >= 0.001 || value == 0 ? "\(rounded)" : "\(value)"
}

/// Text made safe inside an SVG (XML) element.
private func escapedXML(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}
