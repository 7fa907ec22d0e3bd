/// Per-channel standardisation of pixel values: x' = (x - mean[c]) / std[c], after the bytes have
/// been scaled to 0...1 (torchvision's `Normalize`).
///
/// Centring inputs around 0 with unit spread keeps the first layer's pre-activations in a range
/// where gradients are well scaled; with raw 0...1 MNIST pixels (mean 0.13) every input pushes the
/// same way.
///
/// ## Shape
/// Works on one image of C x H x W values, C = `mean.count`.
///
/// ```swift
/// let normalize = Normalize(mean: [0.1307], std: [0.3081])
/// normalize.apply(to: &pixels, channels: 1)
/// ```
public struct Normalize: Sendable, Equatable, CustomStringConvertible {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(
            !mean.isEmpty && mean.count == std.count,
            "Normalize: \(mean.count) means and \(std.count) standard deviations; give one of each per channel")
        precondition(std.allSatisfy { $0 > 0 }, "Normalize: standard deviations must be positive, got \(std)")
        self.mean = mean
        self.std = std
    }

    /// Normalises `values`, which hold whole images of `channels` planes each.
    public func apply(to values: inout [Float], channels: Int) {
        precondition(
            channels == mean.count,
            "Normalize: configured for \(mean.count) channel(s), the images have \(channels)")
        let plane = values.count / channels
        guard plane > 0 else { return }
        values.withUnsafeMutableBufferPointer { buffer in
            // Images are consecutive runs of `channels` planes: plane p belongs to channel p % channels.
            for planeIndex in 0..<(buffer.count / plane) {
                let channel = planeIndex % channels
                let shift = mean[channel], scale = 1 / std[channel]
                for index in planeIndex * plane..<(planeIndex + 1) * plane {
                    buffer[index] = (buffer[index] - shift) * scale
                }
            }
        }
    }

    public var description: String { "Normalize(mean: \(mean), std: \(std))" }
}
