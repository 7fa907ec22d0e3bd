import Autograd
import Datasets
import MatrixMath

extension Batch {
    /// The images as a tensor of shape [n, channels, height, width], the input of every model
    /// (models that start with a Linear layer flatten it themselves, as PyTorch's do).
    ///
    /// ```swift
    /// for batch in loader { let scores = model(batch.images) }
    /// ```
    public var images: Tensor { Tensor(shape: shape, data: inputs.storage) }
}
