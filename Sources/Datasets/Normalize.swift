/// Per-channel standardisation of pixel values: x' = (x - mean[c]) / std[c], after the bytes have
/// been scaled to 0...1 (torchvision's `Normalize`).
///
/// Centring inputs around 0 with unit spread keeps the first layer's pre-activations in a range
/// where gradients are well scaled; with raw 0...1 MNIST pixels (mean 0.13) every input pushes the
/// same way.
///
/// ## Shape
/// Works on a batch of N images of C x H x W values each (NCHW, N >= 1), C = `mean.count`: plane
/// p of the batch (H x W values) belongs to channel p % C.
///
/// ```swift
/// let normalize = Normalize(mean: [0.1307], std: [0.3081])
/// normalize.apply(to: &pixels, channels: 1, planeSize: 28 * 28)
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

    /// Normalises `values`, which hold whole images of `channels` planes of `planeSize` values each.
    public func apply(to values: inout [Float], channels: Int, planeSize plane: Int) {
        precondition(
            channels == mean.count,
            "Normalize: configured for \(mean.count) channel(s), the images have \(channels)")
        precondition(
            plane > 0 && values.count % (channels * plane) == 0,
            "Normalize: \(values.count) values are not whole images of \(channels) x \(plane)")
        values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            // Images are consecutive runs of `channels` planes: plane p belongs to channel p % channels.
            for planeIndex in 0..<(buffer.count / plane) {
                apply(toPlane: base + planeIndex * plane, count: plane, channel: planeIndex % channels)
            }
        }
    }

    /// Normalises one plane of `count` values of channel `channel` in place: (x - mean) * (1 / std).
    /// `DataLoader` calls it on each plane of a batch right after writing it, while it is in cache.
    @inline(__always)
    public func apply(toPlane values: UnsafeMutablePointer<Float>, count: Int, channel: Int) {
        let shift = mean[channel], scale = 1 / std[channel]
        for index in 0..<count { values[index] = (values[index] - shift) * scale }
    }

    public var description: String { "Normalize(mean: \(mean), std: \(std))" }
}
