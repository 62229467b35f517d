namespace Backprop.NN;

/// <summary>Average pooling to a fixed output size, as torch.nn.AdaptiveAvgPool2d ((1, 1) is global average pooling).</summary>
/// <param name="outputSize">The output's height and width.</param>
public sealed class AdaptiveAvgPool2d(Size2 outputSize) : Module<Tensor, Tensor>
{
    /// <summary>The output's height and width.</summary>
    public Size2 OutputSize { get; } = outputSize;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.AdaptiveAvgPool2d(input, OutputSize);

    /// <inheritdoc/>
    public override string ToString() => $"AdaptiveAvgPool2d(output_size={OutputSize})";
}
