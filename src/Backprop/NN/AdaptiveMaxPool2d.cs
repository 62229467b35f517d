namespace Backprop.NN;

/// <summary>Max pooling to a fixed output size, as torch.nn.AdaptiveMaxPool2d.</summary>
/// <param name="outputSize">The output's height and width.</param>
public sealed class AdaptiveMaxPool2d(Size2 outputSize) : Module<Tensor, Tensor>
{
    /// <summary>The output's height and width.</summary>
    public Size2 OutputSize { get; } = outputSize;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.AdaptiveMaxPool2d(input, OutputSize);

    /// <inheritdoc/>
    public override string ToString() => $"AdaptiveMaxPool2d(output_size={OutputSize})";
}
