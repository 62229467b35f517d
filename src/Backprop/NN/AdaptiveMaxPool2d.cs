namespace Backprop.NN;

/// <summary>Max pooling to a fixed output size, as torch.nn.AdaptiveMaxPool2d.</summary>
/// <param name="outputSize">The output's height and width.</param>
public sealed class AdaptiveMaxPool2d(Size2 outputSize) : Module<Tensor, Tensor>
{
    /// <summary>The output's height and width.</summary>
    public Size2 OutputSize { get; } = outputSize;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.AdaptiveMaxPool2d(input, OutputSize);

    /// <summary>
    /// The pooled values and, for each, the int64 position of the maximum in its input plane (h·W + w), as
    /// torch.nn.AdaptiveMaxPool2d(return_indices=True) returns them.
    /// </summary>
    /// <param name="input">[N, C, H, W] or [C, H, W].</param>
    /// <returns>The values and the indices, both shaped like the output.</returns>
    public (Tensor Values, Tensor Indices) ForwardWithIndices(Tensor input) => Tensor.AdaptiveMaxPool2dWithIndices(input, OutputSize);

    /// <inheritdoc/>
    public override string ToString() => $"AdaptiveMaxPool2d(output_size={OutputSize})";
}
