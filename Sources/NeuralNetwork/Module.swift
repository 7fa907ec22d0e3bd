import Autograd
import Foundation

/// The base class of every layer and model: it owns `Parameter`s and sub-modules, finds them by
/// itself, switches between training and evaluation, and prints its structure (PyTorch's
/// `nn.Module`).
///
/// Subclass it, store layers and parameters as `let` properties, and override `forward(_:)`:
///
/// ```swift
/// final class MLP: Module {
///     let hidden1 = Linear(inputFeatures: 784, outputFeatures: 128)
///     let out = Linear(inputFeatures: 128, outputFeatures: 10)
///     override func forward(_ x: Tensor) -> Tensor { out(hidden1(x).relu()) }
/// }
/// let model = MLP()
/// model.namedParameters().map(\.name)   // ["hidden1.weight", "hidden1.bias", "out.weight", "out.bias"]
/// ```
///
/// **How parameters are found.** There is one source of truth, the stored properties. `Module`
/// reads them with Swift's `Mirror` (reflection), in declaration order, base-class properties
/// first. A property holding a `Parameter` is a parameter named after the property; one holding a
/// `Module` is a sub-module whose parameters are prefixed by the property name (`hidden1.weight`);
/// an array of modules gives `name.0`, `name.1`, ... as PyTorch's `ModuleList`. Optional
/// properties count when they hold a value. Nothing else is registered anywhere: there is no
/// second list to keep in step.
open class Module: CustomStringConvertible {
    /// True in training mode (the default); `eval()` sets it to false, which turns `Dropout` off.
    public private(set) var isTraining = true

    public init() {}

    /// The computation of the module. Subclasses override it.
    open func forward(_ input: Tensor) -> Tensor {
        preconditionFailure("\(type(of: self)) must override forward(_:)")
    }

    /// `module(x)` runs `forward(x)`, as in PyTorch.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        forward(input)
    }

    // MARK: Finding parameters and sub-modules

    /// The direct sub-modules with their names, in declaration order.
    open func namedChildren() -> [(name: String, module: Module)] {
        storedProperties().compactMap { name, value in
            if let module = value as? Module { return [(name, module)] }
            if let modules = value as? [Module] {
                return modules.enumerated().map { ("\(name).\($0.offset)", $0.element) }
            }
            return nil
        }.flatMap { $0 }
    }

    /// Every parameter of this module and its sub-modules, named by their path (`conv1.weight`),
    /// in declaration order.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        // A parameter shared by two layers is listed once, under its first name (PyTorch's
        // remove_duplicate=True), so that an optimiser steps it once.
        var seen = Set<ObjectIdentifier>()
        return allNamedParameters().filter { seen.insert(ObjectIdentifier($0.parameter)).inserted }
    }

    /// Every parameter under every name it is reachable by.
    private func allNamedParameters() -> [(name: String, parameter: Parameter)] {
        var result: [(String, Parameter)] = []
        for (name, value) in storedProperties() {
            if let parameter = value as? Parameter { result.append((name, parameter)) }
        }
        for (childName, child) in namedChildren() {
            result += child.allNamedParameters().map { ("\(childName).\($0.name)", $0.parameter) }
        }
        return result
    }

    /// Every parameter, in the order of `namedParameters()`.
    public func parameters() -> [Parameter] {
        namedParameters().map(\.parameter)
    }

    /// Every module below this one with its dotted path (`features.0`), depth first.
    public func namedModules() -> [(name: String, module: Module)] {
        namedChildren().flatMap { child in
            [(child.name, child.module)] + child.module.namedModules().map { ("\(child.name).\($0.name)", $0.module) }
        }
    }

    /// This module and every module below it, depth first.
    public func modules() -> [Module] {
        [self] + namedChildren().flatMap { $0.module.modules() }
    }

    /// The stored properties of this object, base class first, from `Mirror`.
    private func storedProperties() -> [(String, Any)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            mirrors.append(current)
            mirror = current.superclassMirror
        }
        return mirrors.reversed().flatMap { mirror in
            mirror.children.compactMap { child in child.label.map { ($0, child.value) } }
        }
    }

    // MARK: Modes and gradients

    /// Training mode, for this module and all below it.
    public func train() { setTraining(true) }

    /// Evaluation mode, for this module and all below it: dropout becomes the identity.
    public func eval() { setTraining(false) }

    private func setTraining(_ training: Bool) {
        for module in modules() { module.isTraining = training }
    }

    /// Clears the gradient of every parameter.
    public func zeroGrad() {
        for parameter in parameters() { parameter.zeroGrad() }
    }

    /// Total number of learned values.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    // MARK: Printing

    /// The configuration shown between the parentheses, as `inputFeatures: 784, ...`.
    open var extraDescription: String { "" }

    /// The structure, like PyTorch's `print(model)`:
    ///
    ///     MLP(
    ///       (hidden1): Linear(inputFeatures: 784, outputFeatures: 128, bias: true)
    ///       (out): Linear(inputFeatures: 128, outputFeatures: 10, bias: true)
    ///     )
    open var description: String {
        let name = String(describing: type(of: self))
        let children = namedChildren()
        guard !children.isEmpty else { return "\(name)(\(extraDescription))" }
        var lines = ["\(name)(" + extraDescription]
        for (childName, child) in children {
            let text = child.description.replacingOccurrences(of: "\n", with: "\n  ")
            lines.append("  (\(childName)): \(text)")
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }
}
